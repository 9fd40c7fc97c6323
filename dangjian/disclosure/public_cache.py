"""Server-side cache of the rendered /gk/ pages, and what makes it never stale.

Each page is kept under a key naming the organization's *version*. Two ways to know the version:

- With a shared cache (redis, memcached: every worker sees the same cache), the version is a token kept in the
  cache itself; every action that changes what the public sees (publish, correct, withdraw, a question answered
  or made public, a 小微权力 case step, and in orgs.actions an organization renamed, recoded, moved or deleted)
  replaces it on commit (`changed`). A page is kept with the version it was rendered at (`lookup`, `keep`), and
  the version and the page are read in one round trip: a cached page is served with no database query at all. A
  version key that was evicted comes back as a new token, never an old one.
- With a per-process cache (the default locmem), a replaced token would reach one worker only, so the version is
  read from the database instead: `queries.public_org` fetches the organization together with its parent's name
  and the newest change to its items and cases in one query.

What the pages show of an organization (ORG_FIELDS): its code (the address) and name, and its parent's name; a
rename therefore changes the pages of the organization and of its direct children.
"""

import hashlib
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


def _page_key(code: str, path: str) -> str:
    return "gk-page:" + hashlib.sha1(f"{code}|{path}".encode()).hexdigest()


def lookup(code: str, path: str, stamp: str | None = None) -> tuple[str, str | None]:
    """(the version of the organization's pages, the page kept for `path` if it was rendered at that version,
    else None). A page is kept with the version it was rendered at (`keep`), so a page from before a change is
    never served after it. With a shared cache the version is the token read in the same round trip as the page
    (`stamp` None); with a per-process cache the caller passes the stamp it read from the database."""
    pkey = _page_key(code, path)
    if stamp is None:
        got = cache.get_many([_key(code), pkey])
        stamp, kept = got.get(_key(code)), got.get(pkey)
        if stamp is None:  # never read, or evicted: a new token, so no kept page can match it
            return version(code), None
    else:
        kept = cache.get(pkey)
    return stamp, (kept[1] if kept and kept[0] == stamp else None)


def keep(code: str, path: str, stamp: str, html: str) -> None:
    """Keep the page for `path` rendered at version `stamp` (see lookup)."""
    cache.set(_page_key(code, path), (stamp, html), PAGE_SECONDS)


# The fields of an Org the /gk/ pages render (public_org, _public_head, poster): a change to one of them is a change
# to its pages (and, for the name, to its children's "上级党组织" line).
ORG_FIELDS = ("code", "name")


def changed(org, *, also=()) -> None:
    """What the public sees of `org` changed (and of the organizations whose codes are in `also`): new pages from
    the moment the transaction commits."""
    if shared():
        codes = [org.code, *also]
        transaction.on_commit(lambda: cache.set_many({_key(c): uuid.uuid4().hex for c in codes}, None))


def org_changed(org, fields=None, *, old_code: str = "") -> None:
    """Called by orgs.actions after `fields` of `org` changed (None: moved or deleted): the pages of the organization
    (under its old code too) and, when its name changed, of its direct children are renewed on commit. Other fields
    are not on the pages."""
    if not shared():
        return  # per-process caches: queries.public_org reads the version (names included) from the database
    if fields is None:
        changed(org)
        return
    fields = set(fields)
    if not fields & set(ORG_FIELDS):
        return
    also = [old_code] if old_code and old_code != org.code else []
    if "name" in fields:
        from dangjian.orgs.models import Org

        also += list(Org.objects.filter(path__startswith=org.path, depth=org.depth + 1).values_list("code", flat=True))
    changed(org, also=also)
