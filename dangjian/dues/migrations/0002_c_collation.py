"""On PostgreSQL, give the org_path copies the "C" collation so that `org_path LIKE 'prefix%'` (a
subtree) is a btree range scan on the (org_path, month) indexes, like members.0003. SQLite: nothing."""

from django.db import migrations

COLUMNS = [("dues_duesbase", "org_path"), ("dues_duesexemption", "org_path"), ("dues_duesledger", "org_path"),
           ("dues_duespayment", "org_path"), ("dues_duesreminder", "org_path")]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in COLUMNS:
        schema_editor.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar(255) COLLATE "C"')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in COLUMNS:
        schema_editor.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar(255) COLLATE "default"')


class Migration(migrations.Migration):
    dependencies = [("dues", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
