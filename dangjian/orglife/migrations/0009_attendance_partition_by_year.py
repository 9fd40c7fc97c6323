"""On PostgreSQL, attendance is partitioned by year of held_on (dangjian.core.partitions); existing rows keep
their ids."""

from django.db import migrations

from dangjian.core.migration_ops import partition_by_year


class Migration(migrations.Migration):

    dependencies = [
        ('orglife', '0008_attendance_held_on'),
    ]

    operations = [
        partition_by_year("orglife_attendance", "held_on"),
    ]
