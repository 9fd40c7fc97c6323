"""On PostgreSQL, the audit log is partitioned by year of `at` (dangjian.core.partitions); existing rows keep
their ids."""

from django.db import migrations

from dangjian.core.migration_ops import partition_by_year


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
    ]

    operations = [
        partition_by_year("core_event", "at"),
    ]
