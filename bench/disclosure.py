"""Public disclosure pages under load (issue 7): the median answer of /gk/ pages under 100 concurrent readers
must stay under 100 ms on this machine, and caching must never show a draft or a withdrawn item.

    .venv/bin/python -m bench.disclosure [--villages 60] [--items 20] [--users 100] [--seconds 60] [--keep]

Uses postgres://postgres@127.0.0.1:5432/dangjian_bench_disclosure (BENCH_DISCLOSURE_URL overrides): creates it,
migrates, fills a county of villages through the action layer (published items of the three categories with
finance lines, drafts, withdrawn items, answered public questions, 小微权力 cases), serves it with gunicorn on
127.0.0.1 and runs locust headless against it (loopback only). Half-way through the run it withdraws an item and
checks that the very next read of that organization's page no longer lists it. Baseline: one reader, nothing
cached (the server-side cache cleared before every request), in-process. Results: bench/results/disclosure_*.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

URL = os.environ.get("BENCH_DISCLOSURE_URL", "postgres://postgres@127.0.0.1:5432/dangjian_bench_disclosure")
RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
TARGET_MS = 100
PORT = int(os.environ.get("BENCH_DISCLOSURE_PORT", "8761"))


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench.disclosure", description=__doc__.split("\n\n")[0])
    p.add_argument("--villages", type=int, default=60)
    p.add_argument("--items", type=int, default=20, help="published items per village")
    p.add_argument("--users", type=int, default=100, help="concurrent locust readers")
    p.add_argument("--seconds", type=int, default=60)
    p.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (one per core here)")
    p.add_argument("--threads", type=int, default=1, help="threads per worker (more than 1: gthread)")
    p.add_argument("--keep", action="store_true")
    return p.parse_args(argv)


def _admin_url():
    parts = urlsplit(URL)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def create_db():
    import psycopg

    admin, name = _admin_url()
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')


def drop_db():
    import psycopg

    admin, name = _admin_url()
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(var_dir: str):
    os.environ["DATABASE_URL"] = URL
    os.environ["DANGJIAN_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    os.environ["DANGJIAN_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    import django

    django.setup()


def generate(villages: int, items: int) -> dict:
    """A county → 10 towns → `villages` village branches, each with `items` published items and the rest."""
    from django.core.management import call_command

    from dangjian.disclosure import actions
    from dangjian.micropower import actions as mp
    from dangjian.micropower.models import Power
    from dangjian.orgs import actions as org_actions

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    rnd = random.Random(7)
    county = org_actions.create_org({"code": "BX", "name": "基准县委", "org_type": "committee", "domain": "government"},
                                     parent=None)
    towns = [org_actions.create_org({"code": f"BX{t:02d}", "name": f"第{t}镇党委", "org_type": "committee",
                                     "domain": "rural"}, parent=county) for t in range(10)]
    actions.install_default_catalog(county, effective_from=dt.date(2025, 1, 1))
    mp.install_defaults(county)
    powers = list(Power.objects.all())
    paths, hidden = [], {}
    for v in range(villages):
        org = org_actions.create_org({"code": f"BX{v % 10:02d}V{v:04d}", "name": f"第{v}村党支部", "org_type": "branch",
                                      "domain": "rural"}, parent=towns[v % 10])
        paths.append(f"/gk/{org.code}/")
        published = []
        for n in range(items):
            cat = ("party", "village", "finance")[n % 3]
            data = {"category": cat, "title": f"第{v}村{2025 - n // 12}年第{n % 12 + 1}期{cat}公开",
                    "period_label": f"{2025 - n // 12}年{n % 12 + 1}月", "body": "<p>" + "本期公开内容。" * 40 + "</p>"}
            lines = None
            if cat == "finance":
                amounts = [rnd.randint(100, 90000) for _ in range(8)]
                lines = [{"kind": "income" if i < 3 else "expense", "item": f"收支项目{i}", "amount": str(a)}
                         for i, a in enumerate(amounts)]
            item = actions.publish(actions.create_draft(org, data, lines=lines))
            published.append(item)
        for it in published[:3]:
            paths.append(f"/gk/{org.code}/{it.pk}/")
            q = actions.ask(it, kind="question", body="请问这笔支出的具体用途是什么？", phone="13900001111")
            actions.answer(q, text="用于村道维修，详见附件。", public=True)
        for n in range(3):
            actions.create_draft(org, {"category": "village", "title": f"草稿不得出现{v}-{n}", "body": "草稿"})
        gone = actions.publish(actions.create_draft(org, {"category": "village", "title": f"已撤回不得出现{v}",
                                                           "body": "撤回"}))
        actions.withdraw(gone, reason="重复")
        hidden[org.code] = [f"草稿不得出现{v}-", f"已撤回不得出现{v}"]
        if v == 0:
            to_withdraw = published[-1].pk  # listed on the org page, not among the item pages locust reads
        for n in range(5):
            case = mp.open_case(org, powers[n % len(powers)], {"subject": f"第{v}村办理事项{n}", "applicant": "张三丰",
                                                               "opened_on": "2025-03-01"})
            for step in list(case.steps.all())[: n + 1]:
                mp.record_step(case, step.position, done_on="2025-03-05", responsible="村委会主任 王某")
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {"paths": paths, "hidden": hidden, "withdraw": to_withdraw, "seconds": round(time.monotonic() - started, 1)}


def baseline(paths: list[str], runs: int = 60) -> dict:
    """One reader, nothing cached: the render cost the cache saves (the shared cache is emptied before each)."""
    from django.core.cache import cache
    from django.test import Client

    c = Client()
    times = []
    for path in (paths * 2)[:runs]:
        cache.clear()
        t = time.perf_counter()
        r = c.get(path)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (path, r.status_code)
    return {"median_ms": round(statistics.median(times), 1), "runs": len(times),
            "what": "the same pages, one reader, server-side cache cleared before each request (in-process)"}


def _get(path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, ""


REDIS_PORT = int(os.environ.get("BENCH_DISCLOSURE_REDIS_PORT", "6391"))


def start_redis() -> subprocess.Popen | None:
    """A private redis on loopback as the shared cache of the gunicorn workers (DANGJIAN_REDIS_URL, as in
    production); without redis-server each worker keeps its own in-memory cache."""
    import shutil

    exe = shutil.which("redis-server")
    if exe is None:
        return None
    proc = subprocess.Popen([exe, "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    return proc


def serve(workers: int, threads: int, var_dir: str, redis: bool) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": URL, "DANGJIAN_VAR_DIR": var_dir, "DANGJIAN_DEBUG": "0",
           "DANGJIAN_ALLOWED_HOSTS": "127.0.0.1,localhost", "DJANGO_SETTINGS_MODULE": "dangjian.settings",
           "DANGJIAN_CONN_MAX_AGE": "60",  # persistent connections, as a production deployment runs
           **({"DANGJIAN_REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0"} if redis else {})}
    # The access log keeps each request's time inside the server (%(D)s, microseconds): what the server spends,
    # apart from what the load generator and the scheduler add on the same two cores.
    proc = subprocess.Popen([str(VENV_BIN / "gunicorn"), "dangjian.wsgi", "-b", f"127.0.0.1:{PORT}",
                             "--workers", str(workers), "--threads", str(threads), "--log-level", "warning",
                             "--access-logfile", os.path.join(var_dir, "access.log"),
                             "--access-logformat", "%(D)s %(s)s %(U)s"],
                            cwd=ROOT, env=env)
    for _ in range(100):
        try:
            if _get("/healthz")[0] == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    proc.terminate()
    sys.exit("gunicorn did not start")


def check_hidden(paths: list[str], hidden: dict) -> list[str]:
    problems = []
    for path in paths:
        code = path.split("/")[2]
        status, html = _get(path)
        if status != 200:
            problems.append(f"{path}: {status}")
        for text in hidden.get(code, []):
            if text in html:
                problems.append(f"{path} shows {text}")
        if "张三丰" in html or "13900001111" in html:
            problems.append(f"{path} shows personal data")
    return problems


def withdraw_midway(delay: float, pk: int, result: dict):
    """During the load: withdraw one published item and read its org page right after."""
    time.sleep(delay)
    from dangjian.disclosure import actions
    from dangjian.disclosure.models import DisclosureItem

    item = DisclosureItem.objects.select_related("org").get(pk=pk)
    path = f"/gk/{item.org.code}/"
    before = item.title in _get(path)[1]
    actions.withdraw(item, reason="基准测试：撤回后立即不可见")
    t = time.perf_counter()
    status, html = _get(path)
    status_item, _ = _get(f"/gk/{item.org.code}/{item.pk}/")
    result.update({"title": item.title, "listed_before": before, "listed_after": item.title in html,
                   "item_status_after": status_item, "read_ms": round((time.perf_counter() - t) * 1000, 1)})


def run_locust(paths: list[str], users: int, seconds: int, out: str) -> None:
    env = {**os.environ, "GK_PATHS": ",".join(paths)}
    subprocess.run([str(VENV_BIN / "locust"), "-f", str(Path(__file__).parent / "locust_gk.py"), "--headless",
                    "-u", str(users), "-r", str(max(10, users // 5)), "-t", f"{seconds}s",
                    "--host", f"http://127.0.0.1:{PORT}", "--csv", out, "--only-summary", "--loglevel", "WARNING"],
                   env=env, check=False)  # locust exits 1 when any request failed: counted in the stats


def server_times(var_dir: str, since: int) -> dict:
    """Median and p95 of the time gunicorn spent on the /gk/ requests logged after byte `since` of the access log."""
    with open(os.path.join(var_dir, "access.log"), encoding="utf-8") as f:
        f.seek(since)
        us = sorted(int(line.split()[0]) for line in f if " /gk/" in line)
    if not us:
        return {}
    return {"median_ms": round(us[len(us) // 2] / 1000, 2), "p95_ms": round(us[int(len(us) * 0.95)] / 1000, 2),
            "requests": len(us), "what": "time inside gunicorn per request (its access log, %(D)s)"}


def read_stats(prefix: str) -> dict:
    rows = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows[row["Name"]] = {"requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                                 "median_ms": float(row["50%"]), "p95_ms": float(row["95%"]),
                                 "p99_ms": float(row["99%"]), "rps": round(float(row["Requests/s"]), 1)}
    return rows


def main(argv=None):
    args = parse_args(argv)
    create_db()
    var_dir = tempfile.mkdtemp(prefix="dj-bench-disclosure-")
    # The bench process writes too (the withdrawal half-way): it must share the servers' cache, as every process
    # of a deployment does.
    redis = start_redis()
    if redis is not None:
        os.environ["DANGJIAN_REDIS_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/0"
    setup_django(var_dir)
    proc = None
    try:
        info = generate(args.villages, args.items)
        paths, hidden = info["paths"], info["hidden"]
        base = baseline(paths)
        proc = serve(args.workers, args.threads, var_dir, redis is not None)
        problems = check_hidden(paths, hidden)
        midway: dict = {}
        t = threading.Thread(target=withdraw_midway, args=(args.seconds / 2, info["withdraw"], midway))
        t.start()
        prefix = os.path.join(var_dir, "locust")
        logged = os.path.getsize(os.path.join(var_dir, "access.log"))
        run_locust(paths, args.users, args.seconds, prefix)
        inside = server_times(var_dir, logged)
        t.join()
        problems += check_hidden(paths, hidden)
        if midway.get("listed_after") or midway.get("item_status_after") != 404:
            problems.append(f"withdrawn item still shown: {midway}")
        stats = read_stats(prefix)
        agg = stats["Aggregated"]
        from bench.run import machine

        result = {
            "name": "disclosure_public_page",
            "what": f"GET /gk/ pages (org pages and item pages) by {args.users} concurrent locust readers, "
                    f"one request per reader per second, {args.seconds} s, gunicorn {args.workers} workers × {args.threads} "
                    f"threads, loopback, "
                    f"shared cache: {'redis' if redis else 'per-process memory'}, DANGJIAN_CONN_MAX_AGE=60",
            "figure_ms": {"median": agg["median_ms"], "p95": agg["p95_ms"], "p99": agg["p99_ms"],
                          "requests": agg["requests"], "failures": agg["failures"], "rps": agg["rps"]},
            "by_page": {k: v for k, v in stats.items() if k != "Aggregated"},
            "server": inside,
            "baseline": base,
            "ratio": round(agg["median_ms"] / base["median_ms"], 2) if base["median_ms"] else None,
            "target_ms": TARGET_MS,
            "pass": agg["median_ms"] < TARGET_MS and agg["failures"] == 0 and not problems,
            "never_stale": {"problems": problems, "withdrawn_midway": midway},
            "scale": {"villages": args.villages, "published_items_per_village": args.items,
                      "items": args.villages * (args.items + 4), "generated_s": info["seconds"]},
            "date": dt.date.today().isoformat(),
            # The machine is shared: other processes' load shows in the figure (2 cores).
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "machine": machine(),
        }
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "disclosure_public_page.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        verdict = "PASS" if result["pass"] else "FAIL"
        print(f"disclosure_public_page median {agg['median_ms']} ms p95 {agg['p95_ms']} ms "
              f"({agg['requests']} requests, {agg['failures']} failures; baseline {base['median_ms']} ms uncached) "
              f"target {TARGET_MS} ms {verdict}; stale/PII problems: {len(problems)}; midway {midway}")
    finally:
        for p in (proc, redis):
            if p is not None:
                p.terminate()
                p.wait(timeout=20)
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_db()


if __name__ == "__main__":
    main()
