"""On PostgreSQL, give the tree paths the "C" collation so that `path LIKE 'prefix%'` (a subtree) is a
btree range scan on the existing indexes. SQLite compares bytes already; nothing to do there."""

from django.db import migrations

COLUMNS = [("orgs_org", "path"), ("members_member", "org_path"), ("core_event", "org_path")]


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
    dependencies = [("members", "0002_initial"), ("orgs", "0001_initial"), ("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
