"""HTTP smoke test of a running deployment: readiness, login, a page, an API call.

Usage: python scripts/smoke.py BASE_URL USERNAME PASSWORD TOKEN [ORG_CODE]
Requests carry X-Forwarded-Proto: https, as the TLS-terminating proxy in front of gunicorn would; cookies are
kept by hand because they are Secure and the hop from the proxy to gunicorn is plain HTTP.
"""

import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

base, username, password, token = sys.argv[1:5]
org = sys.argv[5] if len(sys.argv) > 5 else ""
cookies: dict[str, str] = {}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


opener = urllib.request.build_opener(NoRedirect)


def call(path, *, data=None, headers=None):
    h = {"X-Forwarded-Proto": "https", "Referer": base.replace("http://", "https://", 1) + "/login/"}
    if cookies:
        h["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    h.update(headers or {})
    req = urllib.request.Request(base + path, data=data, headers=h)
    try:
        resp = opener.open(req, timeout=20)
    except urllib.error.HTTPError as e:  # 3xx (not followed) and 4xx/5xx
        resp = e
    for raw in resp.headers.get_all("Set-Cookie") or []:
        name, _, rest = raw.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0]
    return resp.status, resp.headers, resp.read().decode()


def fail(msg):
    print(f"冒烟测试失败 (smoke test failed): {msg}")
    sys.exit(1)


status, _, body = call("/readyz")
if status != 200 or json.loads(body)["status"] != "ok":
    fail(f"/readyz {status} {body}")
status, _, body = call("/login/")
m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
if status != 200 or not m:
    fail(f"/login/ {status}")
data = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": m.group(1)}).encode()
status, headers, _ = call("/login/", data=data)
if status != 302 or "/login/" in headers.get("Location", "") or "sessionid" not in cookies:
    fail(f"登录失败 (login failed): {status}")
status, _, body = call("/orgs/")
if status != 200 or "组织架构" not in body:
    fail(f"/orgs/ {status}")
status, _, body = call("/api/v1/members/?page_size=5" + (f"&org={org}" if org else ""),
                       headers={"Authorization": f"Token {token}"})
if status != 200:
    fail(f"/api/v1/members/ {status} {body[:200]}")
payload = json.loads(body)
if payload["count"] <= 0 or not payload["results"]:
    fail(f"/api/v1/members/ 没有数据 (empty): {body[:200]}")
print(f"冒烟测试通过 (smoke test passed): login, /orgs/, /api/v1/members/ count={payload['count']}")
