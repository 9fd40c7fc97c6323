"""Server-side cache of the rendered /gk/ pages, and what makes it never stale.

Each page is kept under a key naming the organization's *version*. Two ways to know the version:

- With a shared cache (redis, memcached: every worker sees the same cache), the version is a token kept in the
  cache itself; every action that changes what the public sees (publish, correct, withdraw, a question answered
  or made public, a 小微权力 case step) replaces it on commit (`changed`). A cached page is then served with no
  database query at all. A version key that was evicted comes back as a new token, never an old one.
- With a per-process cache (the default locmem), a replaced token would reach one worker only, so the version is
  read from the database instead: `queries.public_org` fetches the organization together with the newest change
  to its items and cases in one query.

Organization name changes reach the shared-cache pages within PAGE_SECONDS (pages expire).
"""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

PAGE_SECONDS = 300
SHARED_BACKENDS = ("RedisCache", "Memcache", "PyMemcache", "PyLibMC")


def shared() -> bool:
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    return any(backend.endswith(name) for name in SHARED_BACKENDS)


def _key(code: str) -> str:
    return f"gk-ver:{code}"


def version(code: str) -> str:
    """The current version token of the organization's public pages (shared caches only)."""
    v = cache.get(_key(code))
    if v is None:
        cache.add(_key(code), uuid.uuid4().hex, None)
        v = cache.get(_key(code))
    return v


def changed(org) -> None:
    """What the public sees of `org` changed: new pages from the moment the transaction commits."""
    if shared():
        code = org.code
        transaction.on_commit(lambda: cache.set(_key(code), uuid.uuid4().hex, None))
