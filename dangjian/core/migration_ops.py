"""Migration helpers shared by the apps."""

from django.db import migrations


def c_collation(*columns: tuple[str, str]) -> migrations.RunPython:
    """On PostgreSQL, give org-path columns the "C" collation, so that `LIKE 'prefix%'` (a subtree) is a
    btree range scan on their indexes. SQLite compares bytes already: nothing to do there."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for table, column in columns:
                schema_editor.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar(255) COLLATE "C"')

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for table, column in columns:
                schema_editor.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar(255) COLLATE "default"')

    return migrations.RunPython(forwards, backwards)


def partition_by_year(table: str, column: str, *, self_references: tuple[str, ...] = ()) -> migrations.RunPython:
    """On PostgreSQL, turn `table` (with its rows) into one partitioned by year of `column`
    (dangjian.core.partitions); the reverse gives back a plain table. SQLite: nothing to do."""
    from dangjian.core import partitions

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            partitions.partition(schema_editor.connection, table, column, self_references=self_references)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            partitions.unpartition(schema_editor.connection, table, column)

    return migrations.RunPython(forwards, backwards)
