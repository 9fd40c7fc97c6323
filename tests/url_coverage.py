"""The permission matrix must cover every URL pattern.

Every request the suite makes through Django's test client (and DRF's APIClient) is recorded with the
URL pattern it resolved to and the outcome: "ok" (2xx/3xx other than a redirect to the login page) or
"denied" (401/403/404 or a redirect to login). When the whole suite runs, every URL pattern must have
been seen both allowed and denied (public pages: allowed); a pattern the matrix tests never touch fails the
run, naming the pattern. Running a subset of the tests skips the check.
"""

from collections import defaultdict

import pytest

SEEN: dict[str, set[str]] = defaultdict(set)

# Patterns that need no denial case: readable by anyone by design.
PUBLIC_PREFIXES = ("gk:", "healthz", "readyz", "login", "logout", "api-schema", "api-docs", "api-root")
# Not ours to matrix-test: Django's admin (superusers only) and static files.
EXEMPT_PREFIXES = ("admin:", "django.views.static")


def _all_patterns():
    from django.urls import URLPattern, URLResolver, get_resolver

    out: dict[str, str] = {}

    def walk(patterns, prefix, ns):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern), ns + [p.namespace] if p.namespace else ns)
            elif isinstance(p, URLPattern):
                name = ":".join(ns + [p.name]) if p.name else (prefix + str(p.pattern))
                out.setdefault(name, prefix + str(p.pattern))

    walk(get_resolver().url_patterns, "", [])
    return out


def _key(match) -> str:
    return match.view_name if match.url_name else match.route


def install():
    from django.conf import settings
    from django.test import client as test_client

    original = test_client.Client.request
    if getattr(original, "_dangjian_recording", False):
        return

    def request(self, **req):
        response = original(self, **req)
        try:
            match = response.resolver_match
            key = _key(match)
        except Exception:  # noqa: BLE001 - an unresolvable path is nobody's pattern
            return response
        status = response.status_code
        location = response.get("Location", "") if 300 <= status < 400 else ""
        public = key.startswith(PUBLIC_PREFIXES)  # e.g. logout succeeds by redirecting to the login page
        if status in (401, 403, 404) or (not public and location and (str(settings.LOGIN_URL) in location
                                                                        or "/login/" in location)):
            SEEN[key].add("denied")
        elif status < 400:
            SEEN[key].add("ok")
        return response

    request._dangjian_recording = True
    test_client.Client.request = request


def missing() -> list[str]:
    problems = []
    for name, route in sorted(_all_patterns().items()):
        if name.startswith(EXEMPT_PREFIXES) or route.startswith(("static/", "admin/")):
            continue
        seen = SEEN.get(name, set())
        needed = {"ok"} if name.startswith(PUBLIC_PREFIXES) else {"ok", "denied"}
        lacking = needed - seen
        if lacking:
            what = "、".join({"ok": "允许访问", "denied": "拒绝访问(404/401)"}[x] for x in sorted(lacking))
            problems.append(f"{name}  ({route}): 权限矩阵未覆盖{what}")
    return problems


def full_run(session) -> bool:
    """Only a whole-suite run proves coverage: no file arguments, no -k, and the matrix suites ran."""
    cfg = session.config
    if cfg.option.keyword or cfg.getoption("lf", False):
        return False
    args = [a for a in cfg.args if a not in ("tests", "tests/")]
    if args:
        return False
    files = {str(i.fspath) for i in session.items}
    return any("/tests/api/" in f for f in files) and any("/tests/web/" in f for f in files)


def pytest_sessionfinish(session, exitstatus):
    if exitstatus != 0 or not full_run(session):
        return
    problems = missing()
    if problems:
        tr = session.config.pluginmanager.get_plugin("terminalreporter")
        msg = "URL patterns without permission-matrix coverage:\n  " + "\n  ".join(problems)
        if tr:
            tr.write_line(msg, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
