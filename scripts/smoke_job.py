"""HTTP smoke test of the background workers: a roster import large enough to run on `dangjian db_worker` is
uploaded, checked by a worker, confirmed, written by a worker, and its members are then found through the API.

Usage: python scripts/smoke_job.py BASE_URL USERNAME PASSWORD TOKEN BRANCH_CODE ROSTER_CSV [ROWS]
ROSTER_CSV is `dangjian export_members --org BRANCH_CODE` output: its first row is the template for ROWS new
members (new names and valid new ID numbers). The deployment must send imports of that many rows to the
workers (DANGJIAN_IMPORT_SYNC_MAX_ROWS below ROWS). Like scripts/smoke.py, requests carry
X-Forwarded-Proto: https and cookies are kept by hand.
"""

import csv
import io
import json
import re
import sys
import time
import urllib.parse
import uuid

from smoke_http import Session

from dangjian.core import idcard

base, username, password, token, branch, roster = sys.argv[1:7]
rows = int(sys.argv[7]) if len(sys.argv) > 7 else 40
session = Session(base, referer_path="/io/", timeout=30, failure="后台任务冒烟测试失败 (job smoke test failed)")
call, fail, cookies = session.call, session.fail, session.cookies


def csrf(path):
    status, _, body = call(path)
    m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not m:
        fail(f"{path} {status}: 没有表单")
    return m.group(1)


def api_count():
    status, _, body = call(f"/api/v1/members/?org={branch}&page_size=1", headers={"Authorization": f"Token {token}"})
    if status != 200:
        fail(f"/api/v1/members/ {status} {body[:200]}")
    return json.loads(body)["count"]


def roster_csv() -> bytes:
    """ROWS new members shaped like the roster's first one."""
    with open(roster, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        template = next(reader)
    id_col = next(i for i, h in enumerate(header) if "身份" in h)
    name_col = next(i for i, h in enumerate(header) if h.strip().startswith("姓名"))
    birth = idcard.parse(template[id_col]).birth_date
    digits = "零一二三四五六七八九"
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    for i in range(rows):
        row = list(template)
        row[name_col] = "任" + digits[i // 10 % 10] + digits[i % 10] + "同"
        # 99: no real province, so no demo member shares the number; even or odd keeps the template's sex
        seq = 600 + 2 * i + (int(template[id_col][16]) % 2)
        row[id_col] = idcard.make("999901", birth, seq)
        w.writerow(row)
    return out.getvalue().encode("utf-8")


def multipart(fields: dict, file_field: str, file_name: str, content: bytes):
    boundary = uuid.uuid4().hex
    parts = []
    for k, v in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{file_name}"\r\n'
                 "Content-Type: text/csv\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def wait(pk, seconds=60) -> str:
    """Polls the job's progress fragment (as the page does) until the job left the queue; its status text."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, _, body = call(f"/io/jobs/{pk}/progress/")
        if status != 200:
            fail(f"/io/jobs/{pk}/progress/ {status}")
        if "hx-trigger" not in body:  # no longer polling: the job is over
            return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()
        time.sleep(0.5)
    fail(f"任务{pk}在{seconds}秒内没有完成：db_worker 是否在运行？")


# login
status, _, body = call("/login/")
m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
data = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": m.group(1)})
status, headers, _ = call("/login/", data=data.encode())
if status != 302 or "sessionid" not in cookies:
    fail(f"登录失败 (login failed): {status}")
before = api_count()
started = time.monotonic()
body, h = multipart({"csrfmiddlewaretoken": csrf("/io/"), "default_org": branch}, "file", "roster.csv", roster_csv())
status, headers, _ = call("/io/members/upload/", data=body, headers=h)
m = re.search(r"/io/jobs/(\d+)/", headers.get("Location", ""))
if status != 302 or not m:
    fail(f"上传失败 (upload failed): {status} {headers.get('Location')}")
pk = m.group(1)
text = wait(pk)
if "待确认" not in text:
    fail(f"检查未通过 (check did not pass): {text}")
checked = time.monotonic() - started
status, headers, _ = call(f"/io/jobs/{pk}/confirm/", data=urllib.parse.urlencode(
    {"csrfmiddlewaretoken": csrf(f"/io/jobs/{pk}/")}).encode())
if status != 302:
    fail(f"确认失败 (confirm failed): {status}")
text = wait(pk)
if "已导入" not in text:
    fail(f"导入未完成 (import did not finish): {text}")
after = api_count()
if after != before + rows:
    fail(f"导入后党员数 {after}，应为 {before} + {rows}")
print(f"后台任务冒烟测试通过 (job smoke test passed): {rows} 行名册经 db_worker 检查（{checked:.1f} 秒）并写入"
      f"（共 {time.monotonic() - started:.1f} 秒），API 党员数 {before} → {after}")
