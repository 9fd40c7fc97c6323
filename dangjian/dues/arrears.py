"""The arrears list (欠交党员名单): members who owe the dues of month T and have not paid for at least the
reminder threshold of consecutive months (paid or exempt months break the run), longest first, with the
dues of all their unpaid months (欠交合计) and their reminder history.

Two ways to the same rows:

- `compute` (live): two month slices of the ledger find the candidates, then their whole history is read by
  index. Right for any month and threshold, fast for a branch or a county, but a province's list reads the
  history of tens of thousands of members (11.8 s for the report page at 1,000,000 members).
- the snapshot (DuesArrears rows + DuesArrearsMark): the same computation for the whole tree once a month
  (`snapshot`, called by the monthly run `dangjian dues_ledger`), kept exact afterwards by `sync`, which every
  action that writes the ledger or payments of a month up to the snapshot month calls inside its own
  transaction for the members it touched. A whole-tree rewrite of such a month drops the mark (`invalidate`)
  instead of recomputing a province inside the ledger run.

`listing` reads the snapshot when the mark answers the question (same month, threshold at least the
snapshot's) and computes live otherwise, so both give the same list; tests check that they agree after
every kind of write.

On PostgreSQL `snapshot` locks the mark table (EXCLUSIVE: reads go on) and `sync` reads the mark FOR SHARE:
a payment committed while the snapshot is computed either is seen by it or waits and re-syncs its member
afterwards, so no write is lost between the two.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from dangjian.rules import dues as rules
from dangjian.rules.base import add_months, value

from .models import DuesArrears, DuesArrearsMark, DuesLedger, DuesPayment, DuesReminder
from .months import first_of
from .values import ZERO
from .values import date_of as _date
from .values import dec as _dec

_CHUNK = 5000




def threshold(min_months: int | None = None) -> int:
    """The reminder threshold (rules.dues.REMINDER_AFTER_MONTHS) unless a caller asks for another."""
    need = value(rules.REMINDER_AFTER_MONTHS) if min_months is None else min_months
    return max(int(need), 1)


@dataclass
class Arrears:
    member: object
    unpaid_months: int
    first_unpaid: dt.date
    findings: list
    owed: Decimal = ZERO
    reminders: list = field(default_factory=list)

    @property
    def lapse(self) -> bool:
        return any(f.code == "dues.lapse" for f in self.findings)


@dataclass
class Run:
    """One member's unpaid run through `through`, as computed (before the member objects are loaded)."""

    member_id: int
    org_id: int
    org_path: str
    first_unpaid: dt.date
    unpaid_months: int
    owed: Decimal


# ---------------------------------------------------------------- the computation

def compute(through: dt.date, need: int, *, prefix: str | None = None, member_prefix: str | None = None,
            member_ids=None) -> list[Run]:
    """The runs of at least `need` months through `through`, set-based. Scope (at most one): `prefix`, the
    ledger rows owed to a subtree in `through` (what a list of that subtree shows); `member_prefix`, the
    members now in a subtree; `member_ids`; none: everyone."""
    through = first_of(through)
    led, pay = DuesLedger._meta.db_table, DuesPayment._meta.db_table
    ops = connection.ops
    ok = "(l.due = 0 OR p.id IS NOT NULL)"
    history = f"""
        SELECT l.member_id, MIN(l.month), MAX(CASE WHEN {ok} THEN l.month END),
               SUM(CASE WHEN {ok} THEN 0 ELSE l.due END)
        FROM {led} l
        LEFT JOIN {pay} p ON p.member_id = l.member_id AND p.month = l.month
                         AND p.is_reversed = %(false)s AND p.reverses_id IS NULL AND {{paid_members}}
        WHERE l.month <= %(through)s AND {{members}}
        GROUP BY l.member_id
        HAVING MIN(l.month) <= %(first_cut)s
           AND (MAX(CASE WHEN {ok} THEN l.month END) IS NULL
                OR MAX(CASE WHEN {ok} THEN l.month END) <= %(ok_cut)s)
    """
    params = {"through": ops.adapt_datefield_value(through), "false": False,
              "first_cut": ops.adapt_datefield_value(add_months(through, -(need - 1))),
              "ok_cut": ops.adapt_datefield_value(add_months(through, -need))}
    if prefix is not None:
        scope = "w.org_path LIKE %(prefix)s"
        params["prefix"] = prefix + "%"
    elif member_prefix is not None:
        from dangjian.members.models import Member

        scope = f"w.member_id IN (SELECT id FROM {Member._meta.db_table} WHERE org_path LIKE %(mprefix)s)"
        params["mprefix"] = member_prefix + "%"
    elif member_ids is not None:
        ids = sorted({int(i) for i in member_ids})
        if not ids:
            return []
        scope = f"w.member_id IN ({', '.join(str(i) for i in ids)})"
    else:
        scope = "1 = 1"
    # Candidates: owed in `through` here and neither paid nor exempt in the first month of the last `need`
    # ones — a few percent of the subtree, found from two month slices — so that the whole history above is
    # read for them only, by index (a province's full history is millions of member-months).
    candidates = f"""
        SELECT w.member_id FROM {led} w
        JOIN {led} f ON f.member_id = w.member_id AND f.month = %(first_cut)s AND f.due > 0
        WHERE {scope} AND w.month = %(through)s
          AND NOT EXISTS (SELECT 1 FROM {pay} fp WHERE fp.member_id = f.member_id AND fp.month = %(first_cut)s
                          AND fp.is_reversed = %(false)s AND fp.reverses_id IS NULL)
    """
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # as a list: the planner then knows how few they are and reads their history by index
            cur.execute(candidates, params)
            params["ids"] = [r[0] for r in cur.fetchall()]
            if not params["ids"]:
                return []
            # the candidates' payments by index too (else: a hash join over every payment of the province)
            cur.execute(history.format(members="l.member_id = ANY(%(ids)s)",
                                       paid_members="p.member_id = ANY(%(ids)s)"), params)
        else:
            cur.execute(history.format(members=f"l.member_id IN ({candidates})", paid_members="1 = 1"), params)
        found = cur.fetchall()
    if not found:
        return []
    # the branch each run is owed to in `through` (the ledger row's, which a transfer does not move)
    where: dict[int, tuple[int, str]] = {}
    ids = [r[0] for r in found]
    for i in range(0, len(ids), _CHUNK):
        for member_id, org_id, org_path in DuesLedger.objects.filter(
                month=through, member_id__in=ids[i:i + _CHUNK]).values_list("member_id", "org_id", "org_path"):
            where[member_id] = (org_id, org_path)
    out = []
    for member_id, first, last_ok, owed in found:
        first, last_ok = _date(first), _date(last_ok)
        run_start = first if last_ok is None else max(first, add_months(last_ok, 1))
        run = rules.months_between(rules.month_of(run_start), rules.month_of(through)) + 1
        org_id, org_path = where[member_id]
        out.append(Run(member_id, org_id, org_path, run_start, run, _dec(owed)))
    return out


def _load(runs: list[Run]) -> list[Arrears]:
    """Arrears of `runs`, in their order, with the members (and branches) and reminder histories."""
    from dangjian.members.models import Member

    members = Member.objects.select_related("org").in_bulk([r.member_id for r in runs])
    reminders: dict[int, list] = {}
    for r in (DuesReminder.objects.filter(member_id__in=members).select_related("recorded_by")
              .order_by("-reminded_on", "-id")):
        reminders.setdefault(r.member_id, []).append(r)
    return [Arrears(members[r.member_id], r.unpaid_months, r.first_unpaid, rules.arrears_findings(r.unpaid_months),
                    owed=r.owed, reminders=reminders.get(r.member_id, [])) for r in runs]


def _order(runs: list[Run], names: dict[int, str]) -> list[Run]:
    # the snapshot's ORDER BY: longest first, then by branch, name and id
    return sorted(runs, key=lambda r: (-r.unpaid_months, r.org_path, names.get(r.member_id, ""), r.member_id))


# ---------------------------------------------------------------- the snapshot

def current_mark(*, lock: bool = False) -> DuesArrearsMark | None:
    """The snapshot's mark; `lock`: FOR SHARE on PostgreSQL, so that a running `snapshot` is waited for."""
    if lock and connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"SELECT id FROM {DuesArrearsMark._meta.db_table} FOR SHARE")
    return DuesArrearsMark.objects.order_by("-month").first()


def _write(runs: list[Run], month: dt.date) -> None:
    DuesArrears.objects.bulk_create([
        DuesArrears(member_id=r.member_id, month=month, org_id=r.org_id, org_path=r.org_path,
                    unpaid_months=r.unpaid_months, first_unpaid=r.first_unpaid, owed=r.owed)
        for r in runs], batch_size=_CHUNK)


def latest_month(today: dt.date | None = None) -> dt.date | None:
    """The latest ledger month not after this month: what the monthly run has just generated."""
    today = today or timezone.localdate()
    m = DuesLedger.objects.filter(month__lte=first_of(today)).order_by("-month").values_list("month", flat=True)
    return m.first()


def snapshot(through: dt.date | None = None) -> int:
    """Recompute the whole list through `through` (default: the latest ledger month) at the rule's
    threshold; returns the members listed. Run after the monthly ledger run (command `dues_ledger`)."""
    through = first_of(through) if through else latest_month()
    need = threshold()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(f"LOCK TABLE {DuesArrearsMark._meta.db_table} IN EXCLUSIVE MODE")
                # Statistics of the month just generated (autovacuum may not have seen it yet): without them
                # the planner takes the month for empty and nested-loops over a million rows (minutes, not
                # seconds). A sample, about a second.
                cur.execute(f"ANALYZE {DuesLedger._meta.db_table}, {DuesPayment._meta.db_table}")
        DuesArrearsMark.objects.all().delete()
        DuesArrears.objects.all().delete()
        if through is None:
            return 0
        runs = compute(through, need)
        _write(runs, through)
        DuesArrearsMark.objects.create(month=through, min_months=need, computed_at=timezone.now())
    return len(runs)


def sync(months, *, member_ids=None, member_prefix: str | None = None) -> None:
    """After a write of the ledger or payments of `months` for some members (by id, or the members now in
    a subtree): recompute their snapshot rows, when the snapshot counts any of those months. Call inside the
    writing transaction."""
    months = [first_of(m) for m in months]
    if not months:
        return
    mark = current_mark(lock=True)
    if mark is None or min(months) > mark.month:
        return
    if member_ids is not None:
        ids = sorted(set(member_ids))
        for i in range(0, len(ids), _CHUNK):
            DuesArrears.objects.filter(member_id__in=ids[i:i + _CHUNK]).delete()
        runs = compute(mark.month, mark.min_months, member_ids=ids)
    else:
        DuesArrears.objects.filter(member__org_path__startswith=member_prefix).delete()
        runs = compute(mark.month, mark.min_months, member_prefix=member_prefix)
    _write(runs, mark.month)


def invalidate(months) -> None:
    """A whole-tree rewrite of `months`: the snapshot no longer answers if it counts any of them (readers
    compute live until the next `snapshot`)."""
    months = [first_of(m) for m in months]
    if months:
        DuesArrearsMark.objects.filter(month__gte=min(months)).delete()


# ---------------------------------------------------------------- reading

@dataclass
class ArrearsList:
    through: dt.date
    count: int
    lapse_count: int
    items: list[Arrears]  # the first `limit` of `count`, or all
    need: int  # the threshold listed (consecutive unpaid months)
    lapse: int  # the 党章 第九条 threshold counted in lapse_count
    from_snapshot: bool = False


def listing(org, through: dt.date, *, min_months: int | None = None, limit: int | None = None) -> ArrearsList:
    """The arrears list of the subtree of `org` through `through`: how many, how many past the 党章 第九条
    threshold, and the first `limit` (all when None) in order."""
    through = first_of(through)
    need = threshold(min_months)
    lapse = int(rules.LAPSE_AFTER_MONTHS.value)
    mark = DuesArrearsMark.objects.filter(month=through).first()
    if mark is not None and need >= mark.min_months:
        qs = DuesArrears.objects.filter(org_path__startswith=org.path, month=through, unpaid_months__gte=need)
        n = qs.aggregate(n=Count("pk"), lapse=Count("pk", filter=Q(unpaid_months__gte=lapse)))
        page = qs.order_by("-unpaid_months", "org_path", "member__name", "member_id")
        if limit is not None:
            page = page[:limit]
        runs = [Run(r.member_id, r.org_id, r.org_path, r.first_unpaid, r.unpaid_months, _dec(r.owed)) for r in page]
        return ArrearsList(through, n["n"], n["lapse"], _load(runs), need, lapse, from_snapshot=True)
    runs = compute(through, need, prefix=org.path)
    from dangjian.members.models import Member

    names = dict(Member.objects.filter(pk__in=[r.member_id for r in runs]).values_list("pk", "name")) if runs else {}
    runs = _order(runs, names)
    count, lapsed = len(runs), sum(1 for r in runs if r.unpaid_months >= lapse)
    if limit is not None:
        runs = runs[:limit]
    return ArrearsList(through, count, lapsed, _load(runs), need, lapse)


def of_member(member, through: dt.date, *, min_months: int = 1) -> Arrears | None:
    """One member's run through `through` (their phone page), computed for them alone."""
    runs = compute(through, threshold(min_months), member_ids=[member.pk])
    return _load(runs)[0] if runs else None
