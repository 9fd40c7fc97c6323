"""dangjian export_members: template columns, re-import unchanged, full numbers, logged."""

import csv

import pytest
from python_calamine import CalamineWorkbook

from dangjian.core.models import Event
from dangjian.io.columns import MEMBER_COLUMNS
from dangjian.members.models import Member
from tests.io.helpers import run

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("ext", ["xlsx", "csv"])
def test_export_reimports_unchanged(cast, tmp_path, ext):
    out = tmp_path / f"ca.{ext}"
    status, report = run("export_members", "--org", "CA", "--out", str(out))
    assert status == 0 and report["rows"] == 3  # m1, m2 (CA1B1), m3 (CA1B2); m4 is in CB
    before = Member.history.count()
    assert run("import_members", str(out)) == (0, {"created": 0, "updated": 0, "unchanged": 3})
    assert Member.history.count() == before
    ev = Event.objects.get(verb="member.export")
    assert ev.detail["rows"] == 3 and ev.detail["filter"] == {"org": "CA"}


def test_csv_export_has_bom_template_headers_and_full_numbers(cast, tmp_path):
    out = tmp_path / "b1.csv"
    run("export_members", "--org", "CA1B1", "--out", str(out))
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == [c.name for c in MEMBER_COLUMNS]
    assert {r[3] for r in rows[1:]} == {cast.m1.id_number, cast.m2.id_number}
    assert rows[1][1] in ("男", "女") and rows[1][-1] == "CA1B1"


def test_xlsx_export_keeps_ids_as_text_and_dates_as_dates(cast, tmp_path):
    import datetime as dt

    out = tmp_path / "b1.xlsx"
    run("export_members", "--org", "CA1B1", "--out", str(out))
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert rows[0][3] == "公民身份号码"
    assert rows[1][3] == cast.m1.id_number
    assert isinstance(rows[1][7], (dt.date, dt.datetime))


def test_bad_extension_is_an_error(cast, tmp_path):
    status, _ = run_raw_status("export_members", "--org", "CA", "--out", str(tmp_path / "x.pdf"))
    assert status == 1


def run_raw_status(*args):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        call_command(*args)
    except CommandError as e:
        return 1, str(e)
    return 0, ""
