"""Yearly partitions of the large tables on PostgreSQL (dangjian.core.partitions); nothing changes on SQLite."""

import datetime as dt
import json
import uuid
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from dangjian.core import audit, partitions
from dangjian.core.models import Event
from dangjian.dues import actions as dues
from dangjian.dues.models import DuesLedger, DuesPayment
from dangjian.members.models import Member
from dangjian.orglife import actions as orglife
from dangjian.orglife.models import Attendance, Meeting

TABLES = {"dues_duesledger": "month", "dues_duespayment": "month", "orglife_attendance": "held_on",
          "members_historicalmember": "history_date", "core_event": "at"}
PKS = {"members_historicalmember": "history_id"}
OLD = 2011  # a year no partition is made for in advance

postgres = pytest.mark.postgres


def _run(*args) -> dict:
    out = StringIO()
    call_command("partitions", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def _partition_of(table: str, pk) -> str:
    with connection.cursor() as cur:
        cur.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE {PKS.get(table, 'id')} = %s", [pk])
        return cur.fetchone()[0]


def _keys(table: str) -> dict[str, str]:
    """Constraints and indexes of the parent table as PostgreSQL prints them."""
    with connection.cursor() as cur:
        cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND conparentid = 0", [table])
        keys = dict(cur.fetchall())
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return keys | {f"index {name}": d for name, d in cur.fetchall()}


def _rows(table: str) -> tuple[int, str]:
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*), md5(string_agg(t::text, '|' ORDER BY {PKS.get(table, 'id')})) FROM {table} t")
        return cur.fetchone()


def _old_rows(cast):
    """A row of OLD in every partitioned table, written by the app's own actions."""
    m1 = cast.m1
    dues.declare_base(m1, from_month=f"{OLD}-01", category="in_service", base="4000", confirm=True)
    [paid] = dues.record_payment(m1, months=[f"{OLD}-03"], paid_on=timezone.localdate(), method="cash",
                                 over_limit_reason="补交", explanation="补交")
    reversal = dues.reverse_payment(paid, reason="录入错误")
    with time_machine.travel(dt.datetime(OLD, 5, 1, 10, tzinfo=dt.UTC)):
        event = audit.record("test.old")
        m1.phone = "13900000000"
        m1.save()
    history = Member.history.filter(id=m1.pk).order_by("-history_id").first()
    meeting = Meeting.objects.create(org=m1.org, org_path=m1.org_path, kind="theme_day", held_on=dt.date(OLD, 5, 1),
                                     topic="主题党日")
    attendance = Attendance.objects.create(meeting=meeting, member=m1, status="present")
    ledger = DuesLedger.objects.get(member=m1, month=dt.date(OLD, 3, 1))
    return {"dues_duesledger": ledger.pk, "dues_duespayment": paid.pk, "orglife_attendance": attendance.pk,
            "members_historicalmember": history.history_id, "core_event": event.pk}, reversal


@postgres
def test_the_large_tables_are_partitioned_by_year_with_a_default(db):
    with connection.cursor() as cur:
        cur.execute("SELECT c.relname, a.attname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
                    "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = p.partattrs[0] WHERE p.partstrat = 'r'")
        assert dict(cur.fetchall()) == TABLES
        cur.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = 'dues_duesledger'::regclass")
        assert cur.fetchone()[0] >= 3
    this = timezone.localdate().year
    for table, column in TABLES.items():
        names = {name for name, _ in partitions.partitions_of(table)}
        assert {f"{table}_y{this}", f"{table}_y{this + 1}", f"{table}_default"} <= names
        pk = next(d for d in _keys(table).values() if d.startswith("PRIMARY KEY"))
        assert pk == f"PRIMARY KEY ({PKS.get(table, 'id')}, {column})"
    keys = _keys("dues_duespayment")
    assert keys["dues_duespayment_reverses_id_key"] == "UNIQUE (reverses_id, month)"
    assert keys["dues_duespayment_reverses_id_0d2e6841_fk_dues_duespayment_id"].startswith(
        "FOREIGN KEY (reverses_id, month) REFERENCES dues_duespayment(id, month)")
    assert _keys("dues_duesledger")["dues_ledger_member_month"] == "UNIQUE (member_id, month)"  # had the key
    assert _keys("orglife_attendance")["attendance_unique"] == "UNIQUE (meeting_id, member_id, held_on)"


@postgres
def test_rows_of_a_year_without_partition_land_in_default_and_the_command_moves_them(cast):
    pks, reversal = _old_rows(cast)
    for table, pk in pks.items():
        assert _partition_of(table, pk) == f"{table}_default"
    report = {t["table"]: t for t in _run()["tables"]}
    for table, pk in pks.items():
        assert OLD in report[table]["created"] and report[table]["moved"] >= 1
        assert _partition_of(table, pk) == f"{table}_y{OLD}"
    # the ledger of every year since OLD (the base was declared from OLD) left DEFAULT with it
    assert set(report["dues_duesledger"]["created"]) >= set(range(OLD, timezone.localdate().year))
    assert _partition_of("dues_duespayment", reversal.pk) == f"dues_duespayment_y{OLD}"
    connection.check_constraints()  # the reversal still finds the payment it reverses
    for table in TABLES:
        with connection.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {table}_default")
            assert cur.fetchone()[0] == 0
    assert all(t["created"] == [] and t["moved"] == 0 for t in _run()["tables"])  # idempotent


@postgres
def test_ahead_and_year_options_create_empty_partitions(db):
    this = timezone.localdate().year
    report = {t["table"]: t for t in _run("--ahead", "3", "--year", "1999")["tables"]}
    assert report["core_event"]["created"] == [1999, this + 2, this + 3]
    assert f"core_event_y{this + 3}" in report["core_event"]["partitions"]


@postgres
def test_the_ledger_run_over_a_past_year_gets_that_years_partition(cast):
    call_command("dues_ledger", "--month", f"{OLD}-03", "--format", "json", stdout=StringIO())
    assert f"dues_duesledger_y{OLD}" in {name for name, _ in partitions.partitions_of("dues_duesledger")}


@postgres
def test_migrate_creates_next_years_partition_when_missing(db):
    this = timezone.localdate().year
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE core_event_y{this + 1}")
    call_command("migrate", verbosity=0)
    assert f"core_event_y{this + 1}" in {name for name, _ in partitions.partitions_of("core_event")}


@postgres
def test_the_apps_writes_work_on_partitioned_tables(cast):
    this = timezone.localdate().year
    m1 = cast.m1
    month = timezone.localdate().replace(day=1)
    dues.declare_base(m1, from_month=month, category="in_service", base="4000", confirm=True)
    assert dues.generate_ledger([month]) >= 1  # upsert: ON CONFLICT (member_id, month)
    row = DuesLedger.objects.get(member=m1, month=month)
    assert (row.due, _partition_of("dues_duesledger", row.pk)) == (Decimal("40.00"), f"dues_duesledger_y{this}")
    new = dues.declare_base(m1, from_month=month, category="in_service", base="6000", confirm=True)
    dues.generate_ledger([month])
    assert DuesLedger.objects.get(pk=row.pk).due == new.monthly_amount != row.due  # updated in place, same id
    [paid] = dues.record_payment(m1, months=[month], paid_on=timezone.localdate(), method="cash")  # bulk_create
    assert paid.pk and _partition_of("dues_duespayment", paid.pk) == f"dues_duespayment_y{this}"
    with pytest.raises(ValidationError, match="不能重复交纳"):
        dues.record_payment(m1, months=[month], paid_on=timezone.localdate(), method="cash")
    reversal = dues.reverse_payment(paid, reason="录入错误")
    assert DuesPayment.objects.get(pk=paid.pk).is_reversed and reversal.reverses_id == paid.pk
    connection.check_constraints()
    # The database still refuses a reversal that points at a payment of another month (or at none).
    with pytest.raises(IntegrityError), transaction.atomic():
        DuesPayment.objects.create(member=m1, org=m1.org, org_path=m1.org_path, month=dt.date(this - 1, 12, 1),
                                   amount=Decimal("-1"), due=Decimal("1"), paid_on=timezone.localdate(),
                                   method="cash", batch=uuid.uuid4(), reverses=paid)
        connection.check_constraints()
    meeting = orglife.record_meeting(m1.org, kind="theme_day", held_on=timezone.localdate(), topic="主题党日",
                                     attendance=[(m1.pk, "present", "")])
    a = meeting.attendance.get()
    assert _partition_of("orglife_attendance", a.pk) == f"orglife_attendance_y{this}"
    event = Event.objects.filter(verb="meeting.create").get()
    assert _partition_of("core_event", event.pk) == f"core_event_y{this}"
    Attendance.objects.filter(pk=a.pk).update(status="leave")
    Meeting.objects.filter(pk=meeting.pk).delete()  # cascades to the attendance
    assert not Attendance.objects.filter(pk=a.pk).exists()


@postgres
def test_migrations_keep_every_row_of_populated_tables_both_ways(cast):
    _old_rows(cast)
    dues.generate_ledger([dt.date(timezone.localdate().year, 1, 1)])
    connection.check_constraints()  # fires the deferred checks: a table with pending ones cannot be dropped
    fresh = {t: _keys(t) for t in TABLES}
    before = {t: _rows(t) for t in TABLES}
    assert all(n > 0 for n, _ in before.values())
    # forward to each app's latest migration: the schema a new database has (a later migration of these apps
    # changes the keys compared below)
    executor = MigrationExecutor(connection)
    targets = [key for key in executor.loader.graph.leaf_nodes() if key[0] in {"dues", "core", "members", "orglife"}]
    assert len(targets) == 4
    back = [("dues", "0007_arrears_snapshot"), ("core", "0001_initial"),
            ("members", "0004_mobile_lostcontact_cases"), ("orglife", "0008_attendance_held_on")]
    MigrationExecutor(connection).migrate(back)
    assert partitions.partitioned_tables() == []
    assert {t: _rows(t) for t in TABLES} == before
    assert _keys("dues_duespayment")["dues_duespayment_reverses_id_key"] == "UNIQUE (reverses_id)"
    MigrationExecutor(connection).migrate(targets)  # partitions the populated tables
    assert sorted(partitions.partitioned_tables()) == sorted(TABLES)
    assert {t: _rows(t) for t in TABLES} == before
    assert {t: _keys(t) for t in TABLES} == fresh  # the same keys and indexes as a new database's
    for table in TABLES:
        names = {name for name, _ in partitions.partitions_of(table)}
        assert f"{table}_y{OLD}" in names  # a partition for every year that had rows: DEFAULT stays empty
        with connection.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {table}_default")
            assert cur.fetchone()[0] == 0
    top = max(Event.objects.values_list("id", flat=True))
    assert audit.record("test.after").pk > top  # the sequence continues
    connection.check_constraints()


def test_the_command_does_nothing_off_postgresql(db):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite behaviour")
    assert _run() == {"tables": [], "partitioned": False}
    assert partitions.ensure() == []
