"""Party dues at scale (issue 5): the monthly ledger run for every member in under 60 s, and the collection
report of a province-size subtree in under 2 s, each against a hand-written statement on a bare connection in
the same run. Called by bench.run on the data `gen_scale --years 1` wrote (2026-01 … 2026-06: bases,
exemptions, ledger, payments); results in bench/results/dues_*.json.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

from bench.run import explain, measure, raw

NEXT_MONTH = dt.date(2026, 7, 1)  # the month after the generated ones: the next monthly run
PERIOD = (dt.date(2026, 1, 1), dt.date(2026, 6, 1))
TARGETS_MS = {
    "dues_ledger_month": 60_000,  # issue 5: monthly ledger for 1,000,000 members, set-based
    "dues_ledger_month_rerun": 60_000,
    "dues_report_province_month": 2_000,  # issue 5: collection report of a province-size subtree
    "dues_report_province_ytd": 2_000,
    "dues_report_page": 2_000,
}

BARE = "bench_bare_ledger"
BASELINE_LEDGER = f"""
INSERT INTO {BARE} (member_id, month, org_id, org_path, base_id, exemption_id, due, generated_at)
SELECT m.id, %(month)s, m.org_id, m.org_path, b.id, x.id,
       CASE WHEN x.id IS NULL THEN b.monthly_amount WHEN x.kind = 'exempt' THEN 0 ELSE x.amount END, now()
FROM members_member m
JOIN (SELECT DISTINCT ON (member_id) id, member_id, monthly_amount FROM dues_duesbase
      WHERE confirmed_at IS NOT NULL AND effective_from <= %(month)s
      ORDER BY member_id, effective_from DESC, id DESC) b ON b.member_id = m.id
LEFT JOIN (SELECT DISTINCT ON (member_id) id, member_id, kind, amount FROM dues_duesexemption
           WHERE approved_at IS NOT NULL AND start_month <= %(month)s AND end_month >= %(month)s
           ORDER BY member_id, id DESC) x ON x.member_id = m.id
WHERE m.joined_on < %(next)s AND (m.status = 'normal' OR m.status_changed_on >= %(month)s)
"""
BASELINE_REPORT = """
SELECT substr(l.org_path, 1, %(n)s), l.month, sum(l.due), count(*)
FROM dues_duesledger l WHERE l.org_path LIKE %(prefix)s AND l.month BETWEEN %(start)s AND %(end)s
GROUP BY 1, 2
"""
BASELINE_PAID = """
SELECT substr(org_path, 1, %(n)s), month, sum(amount) FROM dues_duespayment
WHERE org_path LIKE %(prefix)s AND month BETWEEN %(start)s AND %(end)s GROUP BY 1, 2
"""


def _result(name, figure, base, note, baseline_note, plans=None, **extra) -> dict:
    target = TARGETS_MS.get(name)
    return {
        "name": name,
        "figure_ms": figure,
        "baseline": {**base, "what": baseline_note} if base else None,
        "ratio": round(figure["median"] / base["median"], 2) if base and base["median"] else None,
        "target_ms": target,
        "pass": figure["median"] < target if target else None,
        "note": note,
        "queries": len(plans or []),
        "seq_scans": [],
        "plans": plans or [],
        **extra,
    }


def _timed(fn, runs: int, before=None) -> dict:
    """Slow statements: no warm-up beyond the first run's; `before` (untimed) resets the state."""
    times = []
    for _ in range(runs):
        if before:
            before()
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {"median": round(statistics.median(times), 1), "p95": round(times[-1], 1), "min": round(times[0], 1),
            "runs": runs}


def ledger(runs: int = 2) -> list[dict]:
    from django.db import connection

    from dangjian.dues.actions import generate_ledger_for_month
    from dangjian.dues.models import DuesLedger

    rows = {}

    def clear():
        with connection.cursor() as cur:
            cur.execute("DELETE FROM dues_duesledger WHERE month = %s", [NEXT_MONTH])
            if not connection.in_atomic_block:
                cur.execute("VACUUM dues_duesledger")  # as a month's fresh insert would find the table

    def run():
        rows["n"] = generate_ledger_for_month(NEXT_MONTH)

    def bare_clear():
        with connection.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {BARE}")
            # same columns and id identity; no index, key or foreign key
            cur.execute(f"CREATE TABLE {BARE} (LIKE dues_duesledger INCLUDING DEFAULTS INCLUDING IDENTITY)")

    params = {"month": NEXT_MONTH, "next": dt.date(2026, 8, 1)}
    fresh = _timed(run, runs, before=clear)
    n = rows["n"]
    assert n == DuesLedger.objects.filter(month=NEXT_MONTH).count() > 0
    def bare_insert():
        with connection.cursor() as cur:
            cur.execute(BASELINE_LEDGER, params)

    base = _timed(bare_insert, runs, before=bare_clear)
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*), sum(due) FROM {BARE}")
        bare_n, bare_sum = cur.fetchone()
        cur.execute("SELECT count(*), sum(due) FROM dues_duesledger WHERE month = %s", [NEXT_MONTH])
        app_n, app_sum = cur.fetchone()
    assert (bare_n, bare_sum) == (app_n, app_sum), ((bare_n, bare_sum), (app_n, app_sum))
    rerun = _timed(run, runs)
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE {BARE}")
        cur.execute("BEGIN")
        cur.execute("DELETE FROM dues_duesledger WHERE month = %s", [NEXT_MONTH])
        plans = explain_write(cur, params)
        cur.execute("ROLLBACK")
    common = {"rows": n, "due_total": str(app_sum)}
    return [
        _result("dues_ledger_month", fresh, base,
                f"dues.actions.generate_ledger_for_month({NEXT_MONTH:%Y-%m}) for everyone: {n} new rows, one "
                "INSERT … SELECT (bases in force and exemptions ranked by ROW_NUMBER, hash joins) into the "
                "indexed ledger with its unique key and foreign keys, audited; the month deleted before each run",
                "hand-written INSERT … SELECT (DISTINCT ON) of the same rows into a bare copy of the table "
                "(same columns, no index, key or foreign key); same row count and total checked",
                plans, **common),
        _result("dues_ledger_month_rerun", rerun, base,
                "the same month generated again: every row hits ON CONFLICT and is refreshed (idempotent re-run)",
                "as dues_ledger_month", **common),
    ]


def explain_write(cur, params) -> list[dict]:
    from django.utils import timezone

    from dangjian.dues.actions import _ledger_sql

    cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + _ledger_sql("", ""),
                {**params, "now": timezone.now()})
    plan = "\n".join(r[0] for r in cur.fetchall())
    return [{"sql": _ledger_sql("", "")[:2000], "plan": plan, "seq_scan_on": []}]


def reports(bench, runs: int) -> list[dict]:
    from bench.run import capture, replay
    from dangjian.dues import queries

    root = bench.root
    out = []
    for name, (start, end) in (("dues_report_province_month", (PERIOD[1], PERIOD[1])),
                               ("dues_report_province_ytd", PERIOD)):
        params = {"n": len(root.path) + root.steplen, "prefix": root.path + "%", "start": start, "end": end}

        def fn(start=start, end=end):
            return queries.report(root, start, end)

        rep = fn()
        led, paid = raw(BASELINE_REPORT, params), raw(BASELINE_PAID, params)
        due = sum(r[2] for r in led())
        assert rep.total.due == due, (rep.total.due, due)
        paid_total = sum(r[2] for r in paid())
        assert rep.total.paid == paid_total, (rep.total.paid, paid_total)

        def baseline(led=led, paid=paid):
            led()
            paid()

        plans = explain(capture(fn))
        out.append(_result(
            name, measure(fn, runs, warmup=1), measure(baseline, runs, warmup=1),
            f"dues.queries.report({root.name}, {start:%Y-%m}..{end:%Y-%m}): {rep.total.member_months} member-months, "
            f"应交 {rep.total.due} 实交 {rep.total.paid} 欠交 {rep.total.owed} 元, grouped by the "
            f"{len(rep.by_org)} organizations below the root and by month",
            "hand-written GROUP BY of the ledger (sum of due) and of the payments (sum of amount) over the same "
            "org_path prefix and months (no per-member 欠交, no settled count)",
            plans, member_months=rep.total.member_months, due=str(rep.total.due), paid=str(rep.total.paid),
            owed=str(rep.total.owed)))
    print("  dues_arrears_snapshot …", flush=True)
    from dangjian.dues import arrears

    listed = arrears.snapshot(PERIOD[1])
    need = arrears.threshold()
    out.append(_result(
        "dues_arrears_snapshot", _timed(lambda: arrears.snapshot(PERIOD[1]), 3),
        _timed(lambda: arrears.compute(PERIOD[1], need), 3),
        f"dues.arrears.snapshot({PERIOD[1]:%Y-%m}): the whole tree's arrears list ({listed} members unpaid for "
        f"{need}+ consecutive months) recomputed and written, as the monthly run `dues_ledger` does after the "
        "ledger; the report page then reads these rows instead of computing the list per request",
        "the same list computed live (dues.arrears.compute for the whole tree, nothing written): what the report "
        "page ran on every request before the snapshot", members=listed))
    url = f"/dues/report/{root.code}/?year={PERIOD[0].year}&start={PERIOD[0].month}&end={PERIOD[1].month}"

    def page():
        r = bench.province_client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        return r

    page()
    sqls = capture(page)
    out.append(_result(
        "dues_report_page", measure(page, max(3, runs // 3), warmup=1), measure(replay(sqls), max(3, runs // 3), warmup=1),
        f"GET {url} as province admin through django.test.Client: the report, the arrears count and its "
        "longest 200 runs (read from the dues.arrears snapshot through the last month) rendered",
        "the page's own SQL replayed on a raw cursor (database share)", explain(sqls)))
    return out


def run(bench, runs: int) -> list[dict]:
    print("  dues_ledger_month …", flush=True)
    out = ledger()
    print("  dues reports …", flush=True)
    out += reports(bench, runs)
    return out
