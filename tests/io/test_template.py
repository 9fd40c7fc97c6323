"""The downloadable import templates: headers, an example row that passes the checks, drop-downs, notes."""

import io
import zipfile

import pytest
from python_calamine import CalamineWorkbook

from dangjian.io.columns import MEMBER_COLUMNS, ORG_COLUMNS
from dangjian.io.members_import import import_members

pytestmark = pytest.mark.django_db


def fetch(client, user, kind):
    client.force_login(user)
    r = client.get(f"/io/template/{kind}.xlsx")
    assert r.status_code == 200
    return r.content


@pytest.mark.parametrize("kind,columns", [("members", MEMBER_COLUMNS), ("orgs", ORG_COLUMNS)])
def test_template_has_headers_example_and_notes(cast, client, kind, columns):
    data = fetch(client, cast.secretary1, kind)
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert wb.sheet_names[-1] == "说明"
    rows = wb.get_sheet_by_index(0).to_python()
    assert rows[0] == [c.name for c in columns]
    assert all(cell != "" for cell in rows[1])  # a filled example row
    notes = wb.get_sheet_by_name("说明").to_python()
    assert [r[0] for r in notes[1:len(columns) + 1]] == [c.name for c in columns]


def test_member_template_has_dropdowns_for_enumerated_columns(cast, client):
    data = fetch(client, cast.secretary1, "members")
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    enumerated = [i for i, c in enumerate(MEMBER_COLUMNS) if c.choices]
    assert sheet_xml.count('type="list"') == len(enumerated) == 4  # 性别 民族 学历 人员类别
    assert "'选项'!$C$1:$C$58" in sheet_xml  # 民族: the 58 values listed on the hidden sheet
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    options = wb.get_sheet_by_name("选项").to_python()
    values = {v for row in options for v in row if v}
    assert {"男", "女", "汉族", "维吾尔族", "大学本科", "正式党员", "预备党员"} <= values


def test_example_row_passes_every_check_but_the_placeholder_branch(cast, client, tmp_path):
    data = fetch(client, cast.secretary1, "members")
    path = tmp_path / "t.xlsx"
    path.write_bytes(data)
    # The example row names a placeholder branch code; everything else in it is valid.
    result = import_members(path, dry_run=True)
    assert [e["column"] for e in result.errors] == ["所在党组织编码"]
