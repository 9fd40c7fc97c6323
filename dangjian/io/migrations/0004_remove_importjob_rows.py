# The preview rows live in ImportRow since 0003 (which copied them); a migration of its own because on
# PostgreSQL 0003's data updates leave deferred constraint events that forbid an ALTER TABLE in the same
# transaction.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('io', '0003_import_rows'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='importjob',
            name='rows',
        ),
    ]
