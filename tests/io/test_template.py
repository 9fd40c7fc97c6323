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
    # then the column that may stand for the organization's code: read by the import, not in the template
    assert notes[len(columns) + 1][:2] == [{"members": "所在党组织", "orgs": "上级党组织"}[kind], "代替编码"]


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
    from tests.io.helpers import write_xlsx

    data = fetch(client, cast.secretary1, "members")
    path = tmp_path / "t.xlsx"
    path.write_bytes(data)
    # Left in a filled-in template, the example row is skipped: here it is the only row, so there is nothing to import.
    result = import_members(path, dry_run=True)
    assert [e["message"] for e in result.errors] == ["文件中没有党员数据"]
    # The example names a placeholder branch code; everything else in it is valid.
    header, example = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()[:2]
    example = ["张伟华", *example[1:]]  # no longer the example itself
    result = import_members(write_xlsx(tmp_path / "e.xlsx", [example], header=header), dry_run=True)
    assert [e["column"] for e in result.errors] == ["所在党组织编码"]
    example[-1] = "CA1B1"
    result = import_members(write_xlsx(tmp_path / "e.xlsx", [example], header=header), dry_run=True)
    assert result.ok and result.counts()["created"] == 1


def test_a_filled_in_template_that_still_has_its_example_imports_the_rest(cast, tmp_path):
    from dangjian.io.columns import EXAMPLE_ORG
    from dangjian.io.orgs_import import import_orgs
    from tests.io.helpers import member_row, write_csv

    example = [c.example for c in MEMBER_COLUMNS]
    path = write_csv(tmp_path / "m.csv", [example, member_row("李四", seq=71)])
    result = import_members(path, dry_run=True)
    assert result.ok and result.counts() == {"created": 1, "updated": 0, "unchanged": 0}
    header = [c.name for c in ORG_COLUMNS]
    rows = [[c.example for c in ORG_COLUMNS], ["CA1B7", "新村党支部", "CA1", "党支部", "农村", ""]]
    result = import_orgs(write_csv(tmp_path / "o.csv", rows, header=header), dry_run=True)
    assert EXAMPLE_ORG == ("C01", "示范村党支部") and result.ok and result.counts()["created"] == 1
