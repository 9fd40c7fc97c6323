"""HTTP smoke test of a running deployment: readiness, login, a page, an API call.

Usage: python scripts/smoke.py BASE_URL USERNAME PASSWORD TOKEN [ORG_CODE]
Requests carry X-Forwarded-Proto: https, as the TLS-terminating proxy in front of gunicorn would; cookies are
kept by hand because they are Secure and the hop from the proxy to gunicorn is plain HTTP.
"""

import json
import re
import sys
import urllib.parse

from smoke_http import Session

base, username, password, token = sys.argv[1:5]
org = sys.argv[5] if len(sys.argv) > 5 else ""
session = Session(base, referer_path="/login/", timeout=20, failure="冒烟测试失败 (smoke test failed)")
call, fail, cookies = session.call, session.fail, session.cookies


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
