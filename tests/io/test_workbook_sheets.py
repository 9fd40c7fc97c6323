"""A workbook with several rosters in it, as a town sends them (one sheet per village branch, a cover or notes
sheet in front): every visible sheet with a roster header is imported, together and all or nothing; each row says
its sheet."""

import io

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from dangjian.io.members_import import import_members
from dangjian.io.models import ImportJob
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from tests.io.helpers import MEMBER_HEADER, ident, member_row, run

pytestmark = pytest.mark.django_db

ORG_HEADER = ["党组织编码", "党组织名称", "上级党组织编码", "党组织类别", "所属领域"]


def workbook(path, sheets, *, hidden=()):
    """sheets: {name: rows} (the first row of each is its header, or whatever the sheet holds)."""
    wb = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            ws.write_row(r, 0, row)
        if name in hidden:
            ws.hide()
    wb.close()
    return path


def town(path, east, west, **kw):
    """填表说明 in front, 东村 with the template's columns, 西村 with a title row and its own column order."""
    order = [0, 3, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11]
    return workbook(path, {
        "填表说明": [["城关镇党员花名册"], ["每个村一个工作表，身份证号请用文本格式"]],
        "东村": [MEMBER_HEADER, *east],
        "西村": [["城关镇西村党支部党员花名册"], [MEMBER_HEADER[i] for i in order], *[[r[i] for i in order] for r in west]],
        **kw.pop("more", {}),
    }, **kw)


def test_every_roster_sheet_of_a_workbook_is_imported(tree, tmp_path):
    east = [member_row("甲", seq=11), member_row("乙", seq=13)]
    west = [member_row("丙", seq=15, org="CA1B2")]
    path = town(tmp_path / "town.xlsx", east, west, more={"空白": [MEMBER_HEADER], "旧名册": [MEMBER_HEADER,
                member_row("丁", seq=17)]}, hidden={"旧名册"})
    assert run("import_members", str(path)) == (0, {"created": 3, "updated": 0, "unchanged": 0})
    assert dict(Member.objects.values_list("name", "org__code")) == {"甲": "CA1B1", "乙": "CA1B1", "丙": "CA1B2"}
    assert run("import_members", str(path)) == (0, {"created": 0, "updated": 0, "unchanged": 3})
    # which sheets were read, and which not, is said (not in the contract's JSON, whose shape stays)
    result = import_members(path, dry_run=True)
    assert result.sheets == {"read": [["东村", 2], ["西村", 1], ["空白", 0]], "passed_over": ["填表说明"]}
    assert result.as_text().splitlines()[1:] == ["读取的工作表：“东村”2行、“西村”1行、“空白”0行",
                                                 "未读取的工作表（没有表头）：“填表说明”"]


def test_each_error_names_its_sheet_and_nothing_is_written(tree, tmp_path):
    east = [member_row("甲", seq=11), member_row("乙", seq=13)]
    west = [member_row("丙", seq=15, org="CA1B2"), member_row("乙", seq=13, org="CA1B2"),
            member_row("戊", seq=19, org="CA1B2", education="幼儿园")]
    path = town(tmp_path / "town.xlsx", east, west)
    status, out = run("import_members", str(path))
    assert status == 1 and out["errors"] == [
        {"row": 4, "column": "公民身份号码", "value": ident(seq=13),
         "message": "与工作表“东村”第3行的公民身份号码重复", "sheet": "西村"},
        {"row": 5, "column": "学历", "value": "幼儿园", "message": out["errors"][1]["message"], "sheet": "西村"}]
    assert not Member.objects.exists()
    result = import_members(path, dry_run=True)
    assert result.as_text().splitlines()[1].startswith("工作表“西村”第4行 公民身份号码")


def test_one_roster_sheet_behind_a_cover_keeps_plain_row_numbers(tree, tmp_path):
    path = workbook(tmp_path / "one.xlsx", {"封面": [["东村党支部"], ["2026年"]],
                                            "名册": [MEMBER_HEADER, member_row("甲", seq=11), member_row(seq=12)]})
    status, out = run("import_members", str(path))
    assert status == 1 and [(e["row"], "sheet" in e) for e in out["errors"]] == [(3, False)]
    assert import_members(path, dry_run=True).sheets == {"read": [["名册", 2]], "passed_over": ["封面"]}
    # a CSV, or a workbook of one sheet, says nothing of sheets
    one = workbook(tmp_path / "solo.xlsx", {"名册": [MEMBER_HEADER, member_row("甲", seq=11)]})
    assert import_members(one, dry_run=True).sheets == {}


def test_a_header_error_in_any_sheet_stops_the_import(tree, tmp_path):
    path = town(tmp_path / "town.xlsx", [member_row("甲", seq=11)], [member_row("丙", seq=15, org="CA1B2")],
                more={"南村": [MEMBER_HEADER[:5] + MEMBER_HEADER[6:], member_row("丁", seq=17)[:5]]})
    status, out = run("import_members", str(path))
    assert status == 1 and [(e.get("sheet"), e["row"], e["column"]) for e in out["errors"]] == [("南村", 1, "学历")]


def test_organization_sheets_are_read_together(tmp_path):
    path = workbook(tmp_path / "orgs.xlsx", {
        "县乡": [ORG_HEADER, ["X", "某县委", "", "党委", "机关"], ["X1", "一镇党委", "X", "党委", "农村"]],
        "村": [ORG_HEADER, ["X1B1", "一村党支部", "X1", "党支部", "农村"], ["X1B2", "二村党支部", "X1", "党支部", "农村"]]})
    assert run("import_orgs", str(path)) == (0, {"created": 4, "updated": 0, "unchanged": 0})
    from dangjian.io.orgs_import import import_orgs

    assert import_orgs(path, dry_run=True).sheets == {"read": [["县乡", 2], ["村", 2]], "passed_over": []}
    assert Org.objects.get(code="X1B2").parent_org().code == "X1"
    path = workbook(tmp_path / "orgs.xlsx", {
        "县乡": [ORG_HEADER, ["Y", "另一县委", "", "党委", "机关"]],
        "村": [ORG_HEADER, ["Y", "重复", "", "党委", "机关"], ["Y1B1", "一村党支部", "NOPE", "党支部", "农村"]]})
    status, out = run("import_orgs", str(path))
    assert status == 1 and [(e["sheet"], e["row"], e["message"]) for e in out["errors"]] == [
        ("村", 2, "与工作表“县乡”第2行的党组织编码重复"), ("村", 3, "上级党组织编码“NOPE”不存在")]


def test_the_preview_the_result_sheet_and_the_api_say_each_rows_sheet(cast, client, tmp_path):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client.force_login(cast.county_admin)
    east = [member_row("甲", seq=51)]
    west = [member_row("丙", seq=55, org="CA1B2"), member_row("丁", seq=57, org="NOPE")]
    with open(town(tmp_path / "town.xlsx", east, west), "rb") as fh:
        client.post("/io/members/upload/", {"file": fh})
    job = ImportJob.objects.get()
    page = client.get(f"/io/jobs/{job.pk}/").content.decode()
    assert '<div class="small text-muted text-nowrap">西村</div>4' in page
    assert "读取的工作表：“东村”1行、“西村”2行；未读取的工作表（没有表头）：“填表说明”" in page
    r = client.get(f"/io/jobs/{job.pk}/result.xlsx")
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content)))
    errors = book.get_sheet_by_name("错误清单").to_python()
    assert errors[0][:3] == ["工作表", "行号", "列"] and (errors[1][0], int(errors[1][1])) == ("西村", 4)
    rows = book.get_sheet_by_name("逐行结果").to_python()
    assert [(r[0], int(r[1])) for r in rows[1:]] == [("东村", 2), ("西村", 3), ("西村", 4)]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=cast.county_admin)[0].key}")
    got = api.get(f"/api/v1/imports/{job.pk}/rows/").json()["results"]
    assert [(r["sheet"], r["row"], r["outcome"]) for r in got] == [
        ("东村", 2, "create"), ("西村", 3, "create"), ("西村", 4, "error")]
    detail = api.get(f"/api/v1/imports/{job.pk}/").json()
    assert detail["errors"][0]["sheet"] == "西村"
    assert detail["sheets"] == {"read": [["东村", 1], ["西村", 2]], "passed_over": ["填表说明"]}


def test_sheets_that_all_go_to_the_default_branch_are_named(cast, client, tmp_path):
    """Village sheets without an organization column would all land in the default branch: the preview says so
    before anything is confirmed."""
    header = MEMBER_HEADER[:-1]
    path = workbook(tmp_path / "groups.xlsx", {"第一党小组": [header, member_row("甲", seq=61)[:-1]],
                                               "第二党小组": [header, member_row("乙", seq=63)[:-1]]})
    result = import_members(path, default_org="CA1B1", dry_run=True)
    assert result.ok and result.sheets["default_org"] == ["第一党小组", "第二党小组"]
    assert result.as_text().splitlines()[-1] == "没有所在党组织列、全部编入默认党组织的工作表：“第一党小组”、“第二党小组”"
    client.force_login(cast.secretary1)
    with open(path, "rb") as fh:
        client.post("/io/members/upload/", {"file": fh, "default_org": "CA1B1"})
    page = client.get(f"/io/jobs/{ImportJob.objects.get().pk}/").content.decode()
    assert "中的党员将全部编入默认党组织“城关镇东村党支部”" in page


def test_sheets_of_applicants_and_of_members_who_left_are_not_read(tree, tmp_path):
    """A branch's workbook keeps its activists and the members who left beside the roster: by their sheet's name they
    are not read (they would otherwise stop the import for lacking columns, or become members)."""
    path = workbook(tmp_path / "b.xlsx", {
        "党员名册": [MEMBER_HEADER, member_row("甲", seq=11)],
        "预备党员": [MEMBER_HEADER, member_row("乙", seq=13, category="预备党员", confirmed="")],
        "入党积极分子": [["姓名", "性别", "公民身份号码", "申请入党日期"], ["丙", "男", ident(seq=15), "2025-03-01"]],
        "已转出党员": [MEMBER_HEADER, member_row("丁", seq=17)]})
    result = import_members(path, dry_run=True)
    assert result.ok and result.counts()["created"] == 2
    assert result.sheets["not_members"] == ["入党积极分子", "已转出党员"]
    assert "未读取的工作表（从名称看不是在册党员）：“入党积极分子”、“已转出党员”" in result.as_text()
    # a file of one sheet is read whatever the sheet is called
    one = workbook(tmp_path / "one.xlsx", {"历史名册": [MEMBER_HEADER, member_row("甲", seq=11)]})
    assert import_members(one, dry_run=True).counts()["created"] == 1


def test_a_workbook_large_enough_to_be_streamed_is_read_sheet_by_sheet_too(tree, tmp_path, monkeypatch):
    from dangjian.io import readers

    east = [member_row("甲", seq=11), member_row("乙", seq=13)]
    west = [member_row("丙", seq=15, org="CA1B2")]
    path = town(tmp_path / "town.xlsx", east, west, more={"旧名册": [MEMBER_HEADER, member_row("丁", seq=17)]},
                hidden={"旧名册"})
    whole = import_members(path, dry_run=True)
    monkeypatch.setattr(readers, "STREAM_XLSX_ABOVE", 0)  # every sheet through xlsx_stream
    streamed = import_members(path, dry_run=True)
    assert streamed.ok and streamed.counts() == whole.counts() == {"created": 3, "updated": 0, "unchanged": 0}
    assert streamed.sheets == whole.sheets == {"read": [["东村", 2], ["西村", 1]], "passed_over": ["填表说明"]}


def test_another_kind_of_table_beside_the_roster_is_passed_over(tree, tmp_path):
    """A dues table (姓名, 公民身份号码, 月份, 金额) is not a roster with columns missing: it is named and not read.
    A roster sheet missing one column still stops the import."""
    path = workbook(tmp_path / "b.xlsx", {
        "党员名册": [MEMBER_HEADER, member_row("甲", seq=11)],
        "党费缴纳": [["姓名", "公民身份号码", "月份", "金额"], ["甲", ident(seq=11), "2026-11", "10.00"]]})
    result = import_members(path, dry_run=True)
    assert result.ok and result.counts()["created"] == 1 and result.sheets["not_roster"] == ["党费缴纳"]
    assert "未读取的工作表（表头不是党员名册，缺少多个必填列）：“党费缴纳”" in result.as_text()
    # alone in its file it is reported, column by column
    alone = workbook(tmp_path / "d.xlsx", {"党费缴纳": [["姓名", "公民身份号码", "月份"], ["甲", ident(seq=11), "2026-11"]]})
    assert len(import_members(alone, dry_run=True).errors) == 5


def test_a_town_workbook_through_the_background_job(cast, client, tmp_path, settings, monkeypatch,
                                                    django_capture_on_commit_callbacks):
    """Large enough for the background job: the rows it streams to the preview keep their sheet, the job keeps
    the sheets it read, and confirming writes every village."""
    from dangjian.io.result import ImportResult

    settings.DANGJIAN_IMPORT_SYNC_MAX_ROWS = 2
    monkeypatch.setattr(ImportResult, "FLUSH", 2)  # outcomes go to the table two at a time, as a large file's do
    east = [member_row("甲", seq=71), member_row("乙", seq=73)]
    west = [member_row("丙", seq=75, org="CA1B2")]
    client.force_login(cast.county_admin)
    with django_capture_on_commit_callbacks(execute=True), open(town(tmp_path / "town.xlsx", east, west), "rb") as fh:
        client.post("/io/members/upload/", {"file": fh})
    job = ImportJob.objects.get()
    assert job.status == "previewed" and job.total_rows == 5  # every sheet, less one header row each: an estimate
    assert list(job.outcomes.order_by("id").values_list("sheet", "row")) == [("东村", 2), ("东村", 3), ("西村", 3)]
    assert job.sheets == {"read": [["东村", 2], ["西村", 1]], "passed_over": ["填表说明"]}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/io/jobs/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == "done" and Member.objects.filter(name__in=["甲", "乙", "丙"]).count() == 3


@pytest.mark.parametrize("total_first", [True, False])
def test_sheets_that_only_repeat_members_of_a_larger_sheet_are_parts_of_it(tree, tmp_path, total_first):
    """A branch keeps its 党小组 lists beside the whole roster (before or after it): those sheets repeat members, they
    are not more members, so they are passed over and named instead of being reported row by row as duplicates."""
    a, b, c = member_row("甲", seq=11), member_row("乙", seq=13), member_row("丙", seq=15)
    groups = {"第一党小组": [MEMBER_HEADER, a, b], "第二党小组": [MEMBER_HEADER, c]}
    total = {"全体党员": [MEMBER_HEADER, a, b, c]}
    path = workbook(tmp_path / "g.xlsx", {**total, **groups} if total_first else {**groups, **total})
    result = import_members(path, dry_run=True)
    assert result.ok and result.counts()["created"] == 3
    assert result.sheets["read"] == [["全体党员", 3]] and result.sheets["subsets"] == ["第一党小组", "第二党小组"]
    assert "未读取的工作表（其中的党员都已在更大的工作表中）：“第一党小组”、“第二党小组”" in result.as_text()
    # a sheet with one member of its own is not a part: its repeated members are errors, as before
    path = workbook(tmp_path / "p.xlsx", {**total, "新党员": [MEMBER_HEADER, a, member_row("丁", seq=17)]})
    result = import_members(path, dry_run=True)
    assert [(e["sheet"], e["row"]) for e in result.errors] == [("新党员", 2)] and "subsets" not in result.sheets


def test_sheets_too_large_to_compare_are_all_read(tree, tmp_path, monkeypatch):
    from dangjian.io import members_import

    monkeypatch.setattr(members_import, "_SUBSET_ROWS", 1)
    a, b = member_row("甲", seq=11), member_row("乙", seq=13)
    path = workbook(tmp_path / "g.xlsx", {"全体党员": [MEMBER_HEADER, a, b], "党小组": [MEMBER_HEADER, a],
                                          "新": [MEMBER_HEADER, member_row("丙", seq=15)]})
    result = import_members(path, dry_run=True)  # every row read, in order: the repeated member is an error
    assert [(e["sheet"], e["row"]) for e in result.errors] == [("党小组", 2)]
    assert result.count("create") == 3
