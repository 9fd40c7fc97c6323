"""Organization-life compliance at province scale (issue 4): targets 30 s for a province, 1 s for a county of
about 2,000 branches, 500 ms for the county's grid page.

    .venv/bin/python -m bench.orglife [--orgs 111000] [--members 1000000] [--keep] [--reuse]

Uses postgres://postgres@127.0.0.1:5432/dangjian_bench_orglife (BENCH_ORGLIFE_URL overrides), creates it,
migrates, fills it with `dangjian gen_scale` and two years of meetings written by one INSERT … SELECT (most branches
keep the 支部条例 frequencies, about one meeting in ten is skipped, so that compliance has misses to find), times
the compliance engine, the roll-up of rates and the grid page, and drops the database unless --keep. Results go to
bench/results/orglife_*.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

URL = os.environ.get("BENCH_ORGLIFE_URL", "postgres://postgres@127.0.0.1:5432/dangjian_bench_orglife")
RESULTS = Path(__file__).resolve().parent / "results"
TODAY = dt.date(2026, 11, 23)  # the reference day: 2025 complete, 2026 through November
TARGETS_MS = {"orglife_compliance_province": 30_000, "orglife_compliance_county": 1_000,
              "orglife_grid_county": 500}

# (kind, months of the year it is held in, only where the branch has a committee)
SCHEDULE = [
    ("theme_day", range(1, 13), False),
    ("branch_committee", range(1, 13), True),
    ("branch_congress", (2, 5, 8, 11), False),
    ("party_lecture", (3, 6, 9, 12), False),
    ("heart_talk", (10,), False),
    ("org_life_meeting", (12,), False),
    ("democratic_review", (12,), False),
]
MEETINGS_SQL = """
INSERT INTO orglife_meeting (org_id, org_path, kind, held_on, place, host, recorder, topic, minutes, late_entry,
                             created_at)
SELECT o.id, o.path, s.kind,
       make_date(y, s.month, 1 + abs(hashtext(o.path || s.kind || y::text || s.month::text)) %% 28),
       '', '', '', s.kind, '', false, now()
FROM orgs_org o
CROSS JOIN generate_series(2025, 2026) AS y
JOIN (VALUES {values}) AS s(kind, month, committee) ON (NOT s.committee OR o.direct_full >= 7)
WHERE o.org_type IN ('branch', 'joint_branch', 'temp_branch')
  AND make_date(y, s.month, 28) <= %(today)s
  AND abs(hashtext(o.path || s.kind || s.month::text || y::text || 'skip')) %% 100 >= 9
"""


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench.orglife", description=__doc__.split("\n\n")[0])
    p.add_argument("--orgs", type=int, default=111_000, help="organizations (about 90 %% are branches)")
    p.add_argument("--members", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=3, help="timed runs of the province (5 × that for the county)")
    p.add_argument("--keep", action="store_true")
    p.add_argument("--reuse", action="store_true", help="time a kept database again")
    return p.parse_args(argv)


def _admin_url():
    parts = urlsplit(URL)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def create_db(reuse: bool) -> bool:
    import psycopg

    admin, name = _admin_url()
    with psycopg.connect(admin, autocommit=True) as c:
        exists = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and not reuse:
            sys.exit(f"{name} exists: drop it or pass --reuse")
        if not exists:
            c.execute(f'CREATE DATABASE "{name}"')
            return True
    return False


def drop_db():
    import psycopg

    admin, name = _admin_url()
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django():
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DANGJIAN_VAR_DIR", tempfile.mkdtemp(prefix="dj-bench-orglife-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    os.environ.setdefault("DANGJIAN_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")  # the page is timed in-process
    import django

    django.setup()


def generate(orgs: int, members: int) -> dict:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("gen_scale", orgs=orgs, members=members, verbosity=0)
    values = ", ".join(f"('{k}', {m}, {'true' if c else 'false'})" for k, months, c in SCHEDULE for m in months)
    started = time.monotonic()
    with connection.cursor() as cur:
        cur.execute(MEETINGS_SQL.format(values=values), {"today": TODAY})
        n = cur.rowcount
        cur.execute("ANALYZE orglife_meeting")
    return {"meetings": n, "meetings_seconds": round(time.monotonic() - started, 1)}


def timed(fn, runs: int) -> dict:
    fn()  # warm
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return {"median": round(statistics.median(times), 1), "max": round(max(times), 1), "runs": runs}


def measure(runs: int) -> list[dict]:
    from django.test import Client

    from dangjian.accounts.models import Grant, User
    from dangjian.orglife.compliance import compliance, rates_by_org
    from dangjian.orglife.models import Meeting
    from dangjian.orgs.models import BRANCH_TYPES, Org

    root = Org.objects.get(depth=1)
    # "A county of 2,000 branches": the smallest subtree below the province with at least 2,000 branches (the
    # generated counties have fewer, so this is usually a city: an upper bound for the target).
    counts: dict[str, int] = {}
    n_province = 0
    for path in Org.objects.filter(org_type__in=BRANCH_TYPES).values_list("path", flat=True).iterator(chunk_size=20000):
        n_province += 1
        for end in range(2 * Org.steplen, len(path) + 1, Org.steplen):
            counts[path[:end]] = counts.get(path[:end], 0) + 1
    county = Org.objects.get(path=min((p for p in counts if counts[p] >= 2000), key=lambda p: counts[p]))
    n_branches = {"province": n_province, "county": counts[county.path]}
    meetings = Meeting.objects.count()
    out = []
    rows_province = compliance(root, 2025, today=TODAY)
    out.append({"name": "orglife_compliance_province",
                "what": f"compliance(province, 2025): {n_branches['province']} branches, {len(rows_province)} rows",
                "figure_ms": timed(lambda: compliance(root, 2025, today=TODAY), runs)})
    out.append({"name": "orglife_rates_province", "what": "rates_by_org over the province's 2025 rows",
                "figure_ms": timed(lambda rows=rows_province: rates_by_org(root, rows), runs)})
    rows_province = None  # free the province's rows before the county runs
    rows_county = compliance(county, 2025, today=TODAY)
    out.append({"name": "orglife_compliance_county",
                "what": f"compliance({county.name}, 2025): {n_branches['county']} branches, {len(rows_county)} rows",
                "figure_ms": timed(lambda: compliance(county, 2025, today=TODAY), runs * 5)})
    user, _ = User.objects.get_or_create(username="bench_orglife")
    Grant.objects.get_or_create(user=user, role="admin", org=root)
    client = Client()
    client.force_login(user)
    url = f"/orglife/compliance/{county.code}/?year=2025"

    def page():
        r = client.get(url)
        assert r.status_code == 200, r.status_code

    out.append({"name": "orglife_grid_county", "what": f"GET {url} ({n_branches['county']} branches)",
                "figure_ms": timed(page, runs * 5)})
    for r in out:
        r["target_ms"] = TARGETS_MS.get(r["name"])
        r["pass"] = None if r["target_ms"] is None else r["figure_ms"]["median"] <= r["target_ms"]
        r["meetings"] = meetings
    return out


def main(argv=None):
    args = parse_args(argv)
    created = create_db(args.reuse)
    setup_django()
    try:
        info = {} if args.reuse and not created else generate(args.orgs, args.members)
        results = measure(args.runs)
        machine = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
        RESULTS.mkdir(exist_ok=True)
        for r in results:
            old = RESULTS / f"{r['name']}.json"
            if not info and old.exists():  # --reuse: the data is the one the earlier run generated
                info = json.loads(old.read_text()).get("generated") or {}
            r.update({"date": dt.date.today().isoformat(), "machine": machine, "generated": info,
                      "scale": {"orgs": args.orgs, "members": args.members}})
            (RESULTS / f"{r['name']}.json").write_text(json.dumps(r, ensure_ascii=False, indent=2) + "\n")
            verdict = "" if r["pass"] is None else (" PASS" if r["pass"] else " FAIL")
            print(f"{r['name']:32} median {r['figure_ms']['median']:>10.1f} ms  (target {r['target_ms']}){verdict}"
                  f"  — {r['what']}")
    finally:
        if created and not args.keep:
            from django.db import connections

            connections.close_all()
            drop_db()


if __name__ == "__main__":
    main()
