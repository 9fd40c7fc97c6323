"""Backup → wipe → restore finds every row again (SQLite file database and PostgreSQL)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(args, env):
    return subprocess.run([sys.executable, "-m", "dangjian.manage", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def snapshot(env):
    code = ("import json,django;django.setup();from django.apps import apps;"
            "print(json.dumps({m._meta.label: sorted(map(str, m.objects.values_list('pk', flat=True))) "
            "for m in apps.get_models() if m._meta.managed}))")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


def roundtrip(env, tmp_path):
    assert run(["migrate", "-v0"], env).returncode == 0
    assert run(["grant", "bk_admin", "--org", "BK", "--role", "admin"], env).returncode == 1  # no org yet
    setup = ("import django;django.setup();from tests.factories import make_org, make_member, make_user;"
             "c=make_org('BK','备份测试市委','committee');b=make_org('BK01','备份测试支部',parent=c);"
             "make_member(b,'张伟');make_member(b,'李娜',gender='F');make_user('bk_user','admin',c)")
    r = subprocess.run([sys.executable, "-c", setup], cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    before = snapshot(env)
    out = tmp_path / "b.dump"
    r = run(["backup", "--out", str(out), "--format", "json"], env)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "b.dump.sha256").exists()
    wipe = ("import django;django.setup();from dangjian.members.models import Member;"
            "from django.db import connection;c=connection.cursor();c.execute('DELETE FROM members_member')")
    assert subprocess.run([sys.executable, "-c", wipe], cwd=ROOT, env=env).returncode == 0
    assert snapshot(env) != before
    assert run(["restore", str(out)], env).returncode == 1  # needs --yes
    r = run(["restore", str(out), "--yes"], env)
    assert r.returncode == 0, r.stderr
    assert snapshot(env) == before
    out.write_bytes(out.read_bytes() + b"x")
    r = run(["restore", str(out), "--yes"], env)
    assert r.returncode == 1 and "校验值不符" in r.stderr


def base_env(tmp_path):
    env = dict(os.environ)
    env.pop("DANGJIAN_TESTING", None)
    env["DJANGO_SETTINGS_MODULE"] = "dangjian.settings"
    env["DANGJIAN_VAR_DIR"] = str(tmp_path / "var")
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_sqlite_roundtrip(tmp_path):
    env = base_env(tmp_path)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    roundtrip(env, tmp_path)


@pytest.mark.postgres
def test_postgres_roundtrip(tmp_path):
    import psycopg

    name = f"dj_backup_{os.getpid()}"
    base = os.environ.get("TEST_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/dangjian_test"
    admin_url = base.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {name}")
        c.execute(f"CREATE DATABASE {name}")
    try:
        env = base_env(tmp_path)
        env["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + name
        roundtrip(env, tmp_path)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
