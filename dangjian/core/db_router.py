"""Read replicas: reads go to a streaming replica, writes to the primary, and a request that wrote reads
its own writes.

Settings: `DANGJIAN_REPLICA_URLS` — comma-separated database URLs of PostgreSQL hot standbys (absent or
empty: no replicas, no router, everything on `default`). Each becomes the alias `replica1`, `replica2`, …
(`TEST: MIRROR default`, so test runs read what they wrote). `DANGJIAN_REPLICA_PIN_SECONDS` (default 10):
how long after a write the same browser keeps reading the primary, to outlast replication lag.

"Pinned to the primary" is a context variable:
- set for the whole of any unsafe request (POST, PUT, PATCH, DELETE): the reads that validate a write
  and the write see the same database;
- set by the router at the first write of any request or job, for the rest of it;
- set for a request that carries the `dj_primary` cookie, which the middleware sends for
  DANGJIAN_REPLICA_PIN_SECONDS after a request that wrote (the GET after a POST-redirect reads its write).
Background workers run outside requests: after their first write they stay on the primary (the
context is never reset in a worker thread), and `pinned_to_primary()` pins a block explicitly.

Only `default` is migrated; replicas are copies of it.
"""

from __future__ import annotations

import contextlib
import random
from contextvars import ContextVar

import dj_database_url

PRIMARY = "default"
COOKIE = "dj_primary"
_pinned: ContextVar[bool] = ContextVar("dangjian_pinned_to_primary", default=False)
_wrote: ContextVar[bool] = ContextVar("dangjian_wrote", default=False)


def replica_databases(urls: str, primary: dict, *, conn_max_age: int = 0) -> dict[str, dict]:
    """The DATABASES entries for DANGJIAN_REPLICA_URLS (same engine as the primary; fails loudly)."""
    out = {}
    for i, url in enumerate([u.strip() for u in (urls or "").split(",") if u.strip()], start=1):
        db = dj_database_url.parse(url, conn_max_age=conn_max_age)
        if db["ENGINE"] != primary["ENGINE"]:
            raise ValueError(f"DANGJIAN_REPLICA_URLS: 第{i}个副本的数据库类型与主库不同（{db['ENGINE']}）")
        db["TEST"] = {"MIRROR": PRIMARY}
        out[f"replica{i}"] = db
    return out


def replicas() -> list[str]:
    """The replica aliases (settings.DANGJIAN_REPLICAS, set from DANGJIAN_REPLICA_URLS)."""
    from django.conf import settings

    return list(getattr(settings, "DANGJIAN_REPLICAS", ()))


def is_pinned() -> bool:
    return _pinned.get()


def pin() -> None:
    _pinned.set(True)


@contextlib.contextmanager
def pinned_to_primary():
    """Reads inside the block go to the primary (a job that must see what it just committed)."""
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


class PrimaryReplicaRouter:
    """Reads to a random replica unless pinned; writes to the primary, pinning the rest of the context."""

    def db_for_read(self, model, **hints):
        from django.db import connections

        # Inside a transaction on the primary (select_for_update, read-validate-write, the task worker's
        # claim) a read must see that transaction; a replica is read-only and behind.
        if _pinned.get() or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        names = replicas()
        return random.choice(names) if names else PRIMARY

    def db_for_write(self, model, **hints):
        _pinned.set(True)
        _wrote.set(True)
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # the replicas hold the same rows as the primary: relations across aliases are the same rows
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


class ReplicaPinMiddleware:
    """Starts every request unpinned (or pinned: unsafe method, recent-write cookie) and, when the request
    wrote, tells the browser to read from the primary for the next DANGJIAN_REPLICA_PIN_SECONDS."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.seconds = int(getattr(settings, "DANGJIAN_REPLICA_PIN_SECONDS", 10))

    def __call__(self, request):
        unsafe = request.method not in ("GET", "HEAD", "OPTIONS", "TRACE")
        pinned = _pinned.set(unsafe or request.COOKIES.get(COOKIE) == "1")
        wrote = _wrote.set(False)
        try:
            response = self.get_response(request)
            if _wrote.get() or unsafe:
                response.set_cookie(COOKIE, "1", max_age=self.seconds, httponly=True, samesite="Lax",
                                    secure=request.is_secure())
            return response
        finally:
            _pinned.reset(pinned)
            _wrote.reset(wrote)
