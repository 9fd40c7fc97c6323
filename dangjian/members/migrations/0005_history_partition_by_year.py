"""On PostgreSQL, the members' history (simple-history) is partitioned by year of history_date
(dangjian.core.partitions); existing rows keep their ids."""

from django.db import migrations

from dangjian.core.migration_ops import partition_by_year


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0004_mobile_lostcontact_cases'),
    ]

    operations = [
        partition_by_year("members_historicalmember", "history_date"),
    ]
