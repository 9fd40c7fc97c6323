"""`make bench`: generate scale data on PostgreSQL and time the reads the issues set targets for.

    .venv/bin/python -m bench.run [--scale small|default|N] [--runs 30] [--keep] [--reuse]

The database is DATABASE_URL when that names PostgreSQL, else postgres://postgres@127.0.0.1:5432/
dangjian_bench. The runner creates it when missing and drops it at the end when it created it
(`--keep` keeps it; `--reuse` benchmarks a kept database again without regenerating). Each result is
written to bench/results/<name>.json, the table to bench/results/README.md. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dangjian_bench"
BASE = {"orgs": 100_000, "members": 1_000_000}  # issue 2's scale; fits this 2-core machine in ~10 min
SMALL = {"orgs": 5_000, "members": 50_000}
RESULTS = Path(__file__).resolve().parent / "results"
GENERATED_TABLES = ("orgs_org", "members_member", "dues_duesbase", "dues_duesexemption", "dues_duesledger",
                    "dues_duespayment", "orglife_meeting")
TARGETS_MS = {  # from the issues
    "county_member_count": 50,  # issue 2: subtree member count of a county, median
    "county_member_count_scan": 50,  # the same number by COUNT(*), held to the same target
    "county_member_list": 50,  # issue 2: first page of a county's member list, median
    "county_member_list_query": 50,
    "root_org_page": 150,  # issue 2: organization page of the root, median
    "root_member_list": 100,  # issue 8: member list API of the root, median
}


# ---------------------------------------------------------------------------------------------- set-up
def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="make bench", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--scale",
        default="default",
        help="small (5,000 orgs / 50,000 members), default (100,000 / 1,000,000), "
        "or a multiplier of the default, e.g. 3",
    )
    p.add_argument("--runs", type=int, default=30, help="timed runs per benchmark (after 3 warm-up runs)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--keep", action="store_true", help="keep the database at the end")
    p.add_argument("--reuse", action="store_true", help="benchmark an existing generated database")
    p.add_argument("--out", type=Path, default=RESULTS, help="where the JSON results go")
    return p.parse_args(argv)


def scale_of(arg: str) -> dict:
    if arg == "small":
        return dict(SMALL)
    if arg == "default":
        return dict(BASE)
    try:
        factor = float(arg)
    except ValueError:
        sys.exit(f"--scale: small, default or a number, not {arg!r}")
    if factor <= 0:
        sys.exit("--scale must be positive")
    return {k: int(v * factor) for k, v in BASE.items()}


def database_url() -> str:
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        url = DEFAULT_URL  # the app's SQLite default is not what the targets are about
    return url


def _maintenance(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True), parts.path.lstrip(
        "/"
    )


def ensure_database(url: str) -> bool:
    """Create the database when it does not exist; True when this run created it."""
    from psycopg import sql

    conn, name = _maintenance(url)
    with conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def drop_database(url: str) -> None:
    from django.db import connections
    from psycopg import sql

    connections.close_all()
    conn, name = _maintenance(url)
    with conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def machine() -> dict:
    from django.db import connection

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem_kb = 0
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        version = cur.fetchone()[0]
        cur.execute("SHOW shared_buffers")
        shared = cur.fetchone()[0]
    import django

    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": model,
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "postgres_version": version,
        "postgres_shared_buffers": shared,
        "python": platform.python_version(),
        "django": django.get_version(),
    }


# ---------------------------------------------------------------------------------------------- timing
def measure(fn, runs: int, warmup: int = 3) -> dict:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p95 = times[max(0, math.ceil(0.95 * len(times)) - 1)]
    return {
        "median": round(statistics.median(times), 2),
        "p95": round(p95, 2),
        "min": round(times[0], 2),
        "runs": runs,
    }


def capture(fn) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [q["sql"] for q in ctx.captured_queries]


def explain(sqls: list[str]) -> list[dict]:
    """EXPLAIN (ANALYZE, BUFFERS) of every SELECT; flags sequential scans of the two big tables."""
    from django.db import connection

    out = []
    with connection.cursor() as cur:
        for sql in sqls:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(r[0] for r in cur.fetchall())
            seq = [t for t in ("members_member", "orgs_org") if f"Seq Scan on {t}" in plan]
            out.append({"sql": sql[:2000], "plan": plan, "seq_scan_on": seq})
    return out


def replay(sqls: list[str]):
    """Run captured SQL as-is on a raw cursor: the database's share of a page or request."""
    from django.db import connection

    def run():
        with connection.cursor() as cur:
            for sql in sqls:
                cur.execute(sql)
                if cur.description is not None:
                    cur.fetchall()

    return run


def raw(sql: str, params):
    from django.db import connection

    def run():
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    return run


# ---------------------------------------------------------------------------------------------- data
def generate(scale: dict, seed: int, url: str) -> dict:
    """Time gen_scale, then load the same rows with plain psql \\copy into bare tables (the floor)."""
    from dangjian.core.scale import generate as gen

    t = time.perf_counter()
    summary = gen(
        orgs=scale["orgs"],
        members=scale["members"],
        seed=seed,
        years=1,  # dues (bases, exemptions, ledger, payments) and meetings of 2026-01 … 2026-06: bench/dues.py
        progress=lambda m: print("  " + m, flush=True),
    )
    gen_ms = (time.perf_counter() - t) * 1000
    print(f"  gen_scale: {gen_ms / 1000:.1f} s", flush=True)
    baseline_ms = psql_copy_baseline(url)
    print(f"  psql \\copy of the same rows into bare tables: {baseline_ms / 1000:.1f} s", flush=True)
    return {"summary": summary, "gen_ms": gen_ms, "baseline_ms": baseline_ms}


def psql_copy_baseline(url: str) -> float:
    """Dump orgs_org and members_member to files, then time `psql -c '\\copy bare FROM file'` into
    tables with the same columns and no index, constraint or trigger: what loading costs the server
    with nothing but the rows to store."""
    env = {**os.environ, "PGOPTIONS": "-c client_min_messages=warning"}

    def psql(cmd):
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", cmd], check=True, env=env)

    total = 0.0
    with tempfile.TemporaryDirectory(prefix="dangjian-bench-") as tmp:
        for table in GENERATED_TABLES:
            path = Path(tmp) / f"{table}.copy"
            bare = f"bench_bare_{table}"
            psql(f"\\copy (SELECT * FROM {table}) TO '{path}'")  # a partitioned table copies out only so
            psql(f"DROP TABLE IF EXISTS {bare}; CREATE TABLE {bare} (LIKE {table})")
            t = time.perf_counter()
            psql(f"\\copy {bare} FROM '{path}'")
            total += (time.perf_counter() - t) * 1000
            psql(f"DROP TABLE {bare}")
    return total


# ---------------------------------------------------------------------------------------------- benchmarks
class Bench:
    def __init__(self, runs: int):
        from django.test import Client

        from dangjian.accounts.actions import grant_role
        from dangjian.orgs.models import Org

        self.runs = runs
        self.root = Org.objects.get(depth=1)
        counties = list(Org.objects.filter(depth=3, org_type="committee").order_by("subtree_full", "path"))
        # A typical county: the median one by members (the largest would flatter nobody).
        self.county = counties[len(counties) // 2]
        self.city = Org.objects.get(path=self.county.path[:8])
        self.city_admin, _ = grant_role("bench_city_admin", org=self.city, role="admin")
        self.province_admin, _ = grant_role("bench_province_admin", org=self.root, role="admin")
        self.city_client = Client(HTTP_HOST="localhost")
        self.city_client.force_login(self.city_admin)
        self.province_client = Client(HTTP_HOST="localhost")
        self.province_client.force_login(self.province_admin)
        self.api = _resolves("/api/v1/members/")
        self.org_page = _resolves(f"/orgs/{self.root.code}/")

    def fresh(self, user):
        # Each request loads its user and grants anew; so does every timed run here.
        from dangjian.core.scope import forget

        forget(user)
        return user

    def run(self, name, fn, baseline=None, *, note="", baseline_note="", extra=None) -> dict:
        print(f"  {name} …", flush=True)
        plans = explain(capture(fn))
        figure = measure(fn, self.runs)
        base = measure(baseline, self.runs) if baseline else None
        target = TARGETS_MS.get(name)
        result = {
            "name": name,
            "figure_ms": figure,
            "baseline": ({**base, "what": baseline_note} if base else None),
            "ratio": round(figure["median"] / base["median"], 2) if base and base["median"] else None,
            "target_ms": target,
            "pass": (figure["median"] < target) if target else None,
            "note": note,
            "queries": len(plans),
            "seq_scans": [p["sql"][:300] for p in plans if p["seq_scan_on"]],
            "plans": plans,
        }
        if extra:
            result.update(extra)
        return result

    # (a) the subtree member count of a county
    def county_count(self) -> list[dict]:
        from dangjian.members.queries import counted_total, member_list, parse_filter

        user, code, path = self.city_admin, self.county.code, self.county.path

        def counters():
            u = self.fresh(user)
            f = parse_filter(u, {"org": code})
            return counted_total(u, f, member_list(u, f))

        def scan():
            u = self.fresh(user)
            f = parse_filter(u, {"org": code})
            return member_list(u, f).count()

        expected = self.county.subtree_total
        assert counters() == expected == scan(), "counters disagree with COUNT(*)"
        count_sql = "SELECT count(*) FROM members_member WHERE org_path LIKE %s AND status = 'normal'"
        return [
            self.run(
                "county_member_count",
                counters,
                raw("SELECT subtree_full + subtree_probationary FROM orgs_org WHERE code = %s", [code]),
                note=f"{self.county.name}（{expected}名党员）: parse_filter + counted_total as city admin "
                "(grants query, org lookup in scope, maintained counters)",
                baseline_note="hand-written SQL reading the counters of the org by code",
                extra={"count": expected},
            ),
            self.run(
                "county_member_count_scan",
                scan,
                raw(count_sql, [path + "%"]),
                note="the honest alternative: COUNT(*) over the org_path prefix through restrict()",
                baseline_note="hand-written SQL: " + count_sql,
                extra={"count": expected},
            ),
        ]

    # (b) the first page (50) of a county's member list
    def county_list(self) -> list[dict]:
        out = [self._list_query("county_member_list_query", self.county)]
        if self.api:
            out.append(self._list_api("county_member_list", self.city_client, f"/api/v1/members/?org={self.county.code}",
                                      total=self.county.subtree_total))
        return out

    def root_list(self) -> list[dict]:
        if self.api:
            return [self._list_api("root_member_list", self.province_client, f"/api/v1/members/?org={self.root.code}",
                                   total=self.root.subtree_total)]
        r = self._list_query("root_member_list", self.root)
        r["note"] += "; /api/v1/members/ does not resolve yet: the query layer is measured"
        return [r]

    def _list_query(self, name, org) -> dict:
        from dangjian.members.queries import counted_total, member_list, parse_filter

        user = self.city_admin if org.path.startswith(self.city.path) else self.province_admin

        def page():
            u = self.fresh(user)
            f = parse_filter(u, {"org": org.code})
            qs = member_list(u, f)
            total = counted_total(u, f, qs)
            rows = [(m.id, m.name, m.org.name, m.id_number, m.phone) for m in qs[:50]]
            return total, rows

        total, rows = page()
        assert len(rows) == 50 and total == org.subtree_total
        sql = (
            "SELECT m.*, o.* FROM members_member m JOIN orgs_org o ON o.id = m.org_id "
            "WHERE m.org_path LIKE %s AND m.status = 'normal' ORDER BY m.org_path, m.id LIMIT 50"
        )
        base = raw(sql, [org.path + "%"])
        counter = raw("SELECT subtree_full + subtree_probationary FROM orgs_org WHERE code = %s", [org.code])

        def baseline():
            counter()
            base()

        return self.run(
            name,
            page,
            baseline,
            note=f"{org.name}: parse_filter + member_list + counted_total + first 50 rows "
            "(query layer shared by web, API and export)",
            baseline_note="hand-written SQL: counter read + " + sql,
            extra={"count": total},
        )

    def _list_api(self, name, client, url, *, total=None, baseline=None, baseline_note="") -> dict:
        """GET `url` of the member list API; `total`, when given, is the count it must answer."""

        def get():
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)
            return r

        body = get().json()
        assert len(body["results"]) == min(50, body["count"]), body.get("count")
        assert total is None or body["count"] == total, body.get("count")
        return self.run(
            name,
            get,
            baseline or replay(capture(get)),
            note=f"GET {url} through django.test.Client, logged-in admin (session auth)",
            baseline_note=baseline_note or "the request's own SQL replayed on a raw cursor (database share)",
            extra={"count": body["count"]},
        )

    # (b1) the province admin's list with no ?org= (the page the 党员 menu opens): its scope's counters
    def root_list_no_org(self) -> list[dict]:
        if not self.api:
            return []
        return [self._list_api("root_member_list_no_org", self.province_client, "/api/v1/members/",
                               total=self.root.subtree_total)]

    # (b2) a narrowed list of the root: 联系电话“待核对”, which no counter answers (a scan of the subtree)
    def root_list_suspect_phones(self) -> list[dict]:
        if not self.api:
            return []
        from dangjian.core.phone import SUSPECT_PATTERN

        where = "m.org_path LIKE %s AND m.status = 'normal' AND m.phone ~ %s"
        count = raw(f"SELECT count(*) FROM members_member m WHERE {where}", [self.root.path + "%", SUSPECT_PATTERN])
        sql = (f"SELECT m.*, o.* FROM members_member m JOIN orgs_org o ON o.id = m.org_id WHERE {where} "
               "ORDER BY m.org_path, m.id LIMIT 50")
        page = raw(sql, [self.root.path + "%", SUSPECT_PATTERN])

        def baseline():
            count()
            page()

        return [self._list_api("root_member_list_suspect_phones", self.province_client,
                               f"/api/v1/members/?org={self.root.code}&phone=suspect", baseline=baseline,
                               baseline_note="hand-written SQL: the same count and first page by the pattern alone: "
                               + sql)]

    # (c) the organization page of the root
    def root_page(self) -> list[dict]:
        if not self.org_page:
            return []
        url = f"/orgs/{self.root.code}/"

        def get():
            r = self.province_client.get(url)
            assert r.status_code == 200, (url, r.status_code)
            return r

        return [
            self.run(
                "root_org_page",
                get,
                replay(capture(get)),
                note=f"GET {url} ({self.root.name}, {self.root.numchild} children, "
                f"{self.root.subtree_total} members) through django.test.Client as province admin",
                baseline_note="the page's own SQL replayed on a raw cursor (database share)",
            )
        ]


def _resolves(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(path.split("?")[0])
        return True
    except Resolver404:
        return False


# ---------------------------------------------------------------------------------------------- output
def write_results(results: list[dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for r in results:
        (out / f"{r['name']}.json").write_text(
            json.dumps(r, ensure_ascii=False, indent=2, default=str) + "\n"
        )
    (out / "README.md").write_text(table(results) + "\n")


def table(results: list[dict]) -> str:
    r0 = results[0]
    m, s = r0["machine"], r0["scale"]
    runs = max(r["figure_ms"].get("runs", 1) for r in results)
    lines = [
        (
            f"Measured {r0['date']} on {m['cpu_count']} × {m['cpu_model']}, {m['ram_gb']} GB RAM, "
            f"PostgreSQL {m['postgres_version']} (shared_buffers {m['postgres_shared_buffers']}); "
            f"{s['orgs']:,} organizations, {s['members']:,} members. Medians and p95 over "
            f"{runs} warm runs (generation: one run)."
        ),
        "",
        "| benchmark | median ms | p95 ms | baseline median ms | ratio | target ms | pass |",
        "|---|---:|---:|---:|---:|---:|:---:|",
    ]
    for r in results:
        b = r["baseline"] or {}
        ok = {True: "yes", False: "**no**", None: "–"}[r["pass"]]
        lines.append(
            f"| {r['name']} | {r['figure_ms']['median']:,} | {r['figure_ms']['p95']:,} | "
            f"{b.get('median', '–') if b else '–'} | {r['ratio'] if r['ratio'] is not None else '–'} | "
            f"{r['target_ms'] or '–'} | {ok} |"
        )
    lines += [
        "",
        "Baselines: "
        + "; ".join(f"{r['name']}: {r['baseline']['what']}" for r in results if r["baseline"])
        + ".",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    scale = scale_of(args.scale)
    url = database_url()
    os.environ["DATABASE_URL"] = url
    os.environ["DANGJIAN_DEBUG"] = "0"  # DEBUG keeps every query in memory and slows everything
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    created = ensure_database(url)
    print(f"database {urlsplit(url).path.lstrip('/')} ({'created' if created else 'existing'})", flush=True)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise warns without it

    started = time.monotonic()
    try:
        call_command("migrate", verbosity=0, interactive=False)
        from dangjian.core.models import Event
        from dangjian.core.scale import existing_rows

        gen = None
        if args.reuse:
            if not Event.objects.filter(verb="scale.generate").exists():
                print("--reuse: this database holds no gen_scale data", file=sys.stderr)
                return 2
            n_orgs, n_members = existing_rows()
            scale = {"orgs": n_orgs, "members": n_members}
        else:
            n_orgs, n_members = existing_rows()
            if n_orgs or n_members:
                print(
                    f"database is not empty ({n_orgs} orgs, {n_members} members): drop it, point "
                    "DATABASE_URL at another one, or pass --reuse for data from gen_scale",
                    file=sys.stderr,
                )
                return 2
            print(f"generating {scale['orgs']:,} organizations and {scale['members']:,} members", flush=True)
            gen = generate(scale, args.seed, url)

        info = machine()
        today = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        results = []
        if gen is not None:
            s = gen["summary"]
            results.append(
                {
                    "name": "gen_scale",
                    "figure_ms": {"median": round(gen["gen_ms"]), "p95": round(gen["gen_ms"]), "runs": 1},
                    "baseline": {
                        "median": round(gen["baseline_ms"]),
                        "p95": round(gen["baseline_ms"]),
                        "runs": 1,
                        "what": "psql \\copy of the same rows of the seven generated tables into bare tables "
                        "(same columns, no index, constraint or trigger)",
                    },
                    "ratio": round(gen["gen_ms"] / gen["baseline_ms"], 2),
                    "target_ms": None,
                    "pass": None,
                    "note": f"dangjian gen_scale: {s['orgs']} orgs ({s['branches']} branches, depth {s['max_depth']}), "
                    f"{s['members']} members generated in Python (names, IDs, dates, pinyin), COPY into the "
                    "indexed tables, counters; --years 1: "
                    f"{s.get('dues_bases')} dues bases (COPY), {s.get('dues_ledger')} ledger rows "
                    f"(generate_ledger), {s.get('dues_payments')} payments and {s.get('meetings')} meetings "
                    "(INSERT … SELECT); foreign-key checks at commit, ANALYZE; no history rows",
                    "summary": s,
                    "rows_per_second": round(s["members"] / (gen["gen_ms"] / 1000)),
                }
            )
        print("benchmarks", flush=True)
        bench = Bench(args.runs)
        results += bench.county_count()
        results += bench.county_list()
        results += bench.root_page()
        results += bench.root_list()
        results += bench.root_list_no_org()
        results += bench.root_list_suspect_phones()
        from bench import dues

        results += dues.run(bench, args.runs)
        from bench import named_branches

        results += named_branches.run(bench, args.runs)
        from bench import reports

        results += reports.run(bench, args.runs)
        if not bench.api:
            print("  note: /api/v1/members/ does not resolve yet; the query layer was measured instead")
        if not bench.org_page:
            print("  note: /orgs/<code>/ does not resolve; the root org page was not measured")
        for r in results:
            r["scale"] = dict(scale)
            r["machine"] = info
            r["date"] = today
        write_results(results, args.out)
        print()
        print(table(results))
        for r in results:
            if r.get("seq_scans"):
                print(f"\nsequential scan in {r['name']}:")
                for sql in r["seq_scans"]:
                    print("  " + sql)
        print(f"\nresults in {args.out} ({time.monotonic() - started:.0f} s)")
        return 0
    finally:
        if created and not args.keep:
            drop_database(url)


if __name__ == "__main__":
    sys.exit(main())
