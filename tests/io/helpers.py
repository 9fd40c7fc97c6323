"""Writing roster files the way people send them (CSV in various encodings, real .xlsx)."""

import datetime as dt
import io
import json
from typing import NamedTuple

import xlsxwriter
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.core import idcard

MEMBER_HEADER = ["姓名", "性别", "民族", "公民身份号码", "出生日期", "学历", "人员类别", "入党日期", "转正日期",
                 "工作岗位", "联系电话", "所在党组织编码"]


def ident(birth=dt.date(1990, 3, 7), seq=11, area="110101"):
    return idcard.make(area, birth, seq)


def member_row(name="张三", *, gender="男", birth=dt.date(1990, 3, 7), seq=11, education="大学本科",
               category="正式党员", joined="2012-07-01", confirmed="2013-07-01", job="教师", phone="13800001234",
               org="CA1B1", ethnicity="汉族", birth_cell=None):
    return [name, gender, ethnicity, ident(birth, seq), birth.isoformat() if birth_cell is None else birth_cell,
            education, category, joined, confirmed, job, phone, org]


def existing_row(member, *, birth="1985-03-12", job="教师", phone=None, org="CA1B1"):
    """A roster row for a member of the cast (a full member who joined 2010-07-01), its job changed to `job`:
    what a branch sends back with one cell edited. `phone` None keeps the member's number."""
    return [member.name, "男", "汉族", member.id_number, birth, "大学本科", "正式党员", "2010-07-01", "2011-07-01",
            job, member.phone if phone is None else phone, org]


def write_csv(path, rows, header=MEMBER_HEADER, encoding="utf-8", bom=False):
    import csv

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    data = buf.getvalue().encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    return path


class Formatted(NamedTuple):
    """A date cell under the number format `num_format` (a format code, or a built-in id such as 57)."""
    value: dt.date
    num_format: str | int


def write_xlsx(path, rows, header=MEMBER_HEADER):
    """Cells as Excel holds them: dates as real dates, numbers as numbers, the rest as text."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("党员")
    datefmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    formats = {}
    ws.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            if isinstance(v, Formatted):
                shown = formats.setdefault(v.num_format, wb.add_format({"num_format": v.num_format}))
                ws.write_datetime(r, c, dt.datetime.combine(v.value, dt.time()), shown)
            elif isinstance(v, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(v, dt.time()), datefmt)
            elif isinstance(v, (int, float)):
                ws.write_number(r, c, v)
            elif v is not None:
                ws.write_string(r, c, str(v))
    wb.close()
    return path


def run(command, *args):
    """call_command with --format json: (exit status, parsed JSON)."""
    out = io.StringIO()
    try:
        call_command(command, *args, "--format", "json", stdout=out)
        status = 0
    except CommandError:
        status = 1
    return status, json.loads(out.getvalue())


def import_many_chunks(cast, tmp_path) -> list:
    """Five new members and m1's changed job in one file (chunks of two when the caller makes CHUNK 2):
    imports it and checks what any write path must have written; returns the rows to import again."""
    from dangjian.members.models import Member
    from dangjian.orgs.models import Org

    rows = [member_row(f"党员{i}", seq=301 + 2 * i) for i in range(5)] + [existing_row(cast.m1)]
    assert run("import_members", str(write_csv(tmp_path / "w.csv", rows))) == (
        0, {"created": 5, "updated": 1, "unchanged": 0})
    assert Member.objects.count() == 9
    assert Member.history.filter(history_type="+", history_change_reason="导入：w.csv").count() == 5
    cast.m1.refresh_from_db()
    assert cast.m1.job == "教师" and cast.m1.history.first().history_change_reason == "导入：w.csv"
    b1 = Org.objects.get(code="CA1B1")
    assert b1.direct_full == Member.objects.filter(org=b1, category="full", status="normal").count()
    return rows


def get_export(client, user, url):
    """GET an export as `user`: (the response, the rows of its CSV or of its .xlsx's first sheet; None unless
    the answer is 200)."""
    import csv

    from python_calamine import CalamineWorkbook

    client.force_login(user)
    r = client.get(url)
    if r.status_code != 200:
        return r, None
    body = b"".join(r.streaming_content)
    if "format=csv" in url:
        return r, list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    return r, CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python()
