"""On PostgreSQL, statistics on the member list's 联系电话“待核对” condition (`members.queries._SUSPECT_PHONE`), so
that the planner knows how few members it matches. Without them it guesses half the rows, and the list's first page
walks the whole subtree in (org_path, id) order to find 50 that are not there: 1.2 s for 1,000,000 members with no
match, against 0.4 s by a scan and a sort. ANALYZE keeps the figures up to date; nothing is maintained on a write.

The expression is the SQL Django writes for `_SUSPECT_PHONE`: a statistic serves only that expression.
tests/members/test_phone_statistics.py checks on PostgreSQL that the planner's estimate uses it. SQLite has no such
statistics; nothing to do there."""

from django.db import migrations

SUSPECT = (
    "CASE WHEN (\"phone\"::text LIKE '1%' AND (NOT (LENGTH(\"phone\") = 11) OR SUBSTRING(\"phone\", 2, 1) IN "
    "('0', '1', '2') OR \"phone\"::text LIKE '% %' OR \"phone\"::text LIKE '%-%')) THEN \"phone\"::text ~ "
    "'^1([ -]?[0-9]){0,9}$|^1([ -]?[0-9]){11,}$|^1[ -]?[0-2]([ -]?[0-9]){9}$' ELSE false END"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE STATISTICS member_phone_suspect_stat ON ({SUSPECT}) FROM members_member", params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS member_phone_suspect_stat")


class Migration(migrations.Migration):
    dependencies = [("members", "0007_history_user_no_constraint")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
