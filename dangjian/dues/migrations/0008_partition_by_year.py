"""On PostgreSQL, the dues ledger and the payments are partitioned by year of `month`
(dangjian.core.partitions); existing rows keep their ids. A reversal and the payment it reverses have the
same month, so the reversal's foreign key becomes (reverses_id, month) → (id, month)."""

from django.db import migrations

from dangjian.core.migration_ops import partition_by_year


class Migration(migrations.Migration):

    dependencies = [
        ('dues', '0007_arrears_snapshot'),
    ]

    operations = [
        partition_by_year("dues_duesledger", "month"),
        partition_by_year("dues_duespayment", "month", self_references=("reverses_id",)),
    ]
