"""The SQLite backend keeps the planner's statistics: `PRAGMA optimize` as a connection closes analyzes the tables
its queries used that have none, so a unique index on a column that is NULL on nearly every row stops winning over
the index a query needs (a member's dues page read every payment of the demo city)."""

import os
import sqlite3
import subprocess
import sys
import time

import pytest
from django.db.utils import ConnectionHandler

from dangjian.core.sqlite_backend.base import ANALYSIS_LIMIT


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker):
    with django_db_blocker.unblock():  # files of these tests' own, not the test database
        yield


def _wrapper(path):
    """A connection as settings make one (the 20 s busy timeout included)."""
    return ConnectionHandler({"default": {"ENGINE": "dangjian.core.sqlite_backend", "NAME": str(path),
                                          "OPTIONS": {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}}})["default"]


def _fill(path):
    """Payments as the dues table has them: a unique link that is NULL on all rows but one, and (member, month)."""
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE TABLE pay (id INTEGER PRIMARY KEY, member INTEGER, month INTEGER, reverses INTEGER UNIQUE);
            CREATE INDEX pay_member_month ON pay (member, month);
        """)
        db.executemany("INSERT INTO pay (member, month, reverses) VALUES (?, ?, ?)",
                       [(m, mo, None) for m in range(300) for mo in range(12)] + [(1, 1, 1)])


QUERY = "SELECT id FROM pay WHERE member = 7 AND month = 3 AND reverses IS NULL"


def _plan(cursor):
    cursor.execute("EXPLAIN QUERY PLAN " + QUERY)
    return " ".join(str(r[-1]) for r in cursor.fetchall())


def test_closing_a_connection_analyzes_the_tables_it_used(tmp_path):
    path = tmp_path / "db.sqlite3"
    _fill(path)
    conn = _wrapper(path)
    with conn.cursor() as c:
        c.execute("PRAGMA analysis_limit")
        assert c.fetchone()[0] == ANALYSIS_LIMIT
        assert "autoindex" in _plan(c)  # no statistics: the unique index looks best
        c.execute(QUERY)
    conn.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'pay'").fetchone()[0] >= 2
    conn = _wrapper(path)
    with conn.cursor() as c:
        assert "pay_member_month" in _plan(c)
    conn.close()


def test_a_write_lock_held_elsewhere_does_not_hold_up_the_close(tmp_path):
    path = tmp_path / "db.sqlite3"
    _fill(path)
    conn = _wrapper(path)
    with conn.cursor() as c:
        c.execute(QUERY)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # an import writing
    started = time.monotonic()
    try:
        conn.close()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert conn.connection is None
    assert time.monotonic() - started < 5  # not the 20 s busy timeout: it gave up at once
    with sqlite3.connect(path) as db:
        assert not db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()[0]


def test_the_settings_use_it_for_a_sqlite_url(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dangjian.settings", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
           "DANGJIAN_VAR_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", "from django.conf import settings; "
                          "print(settings.DATABASES['default']['ENGINE'])"], env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "dangjian.core.sqlite_backend"
