"""Headers as printed rosters lay them out: in two rows (a group heading merged across the columns it covers, the
other headings merged down both rows), or with a row numbering the columns under them."""

import datetime as dt

import pytest
import xlsxwriter

from dangjian.members.models import Member
from tests.io.helpers import member_row, run, write_csv

pytestmark = pytest.mark.django_db


def _roster(path, top, merges, sub, rows, *, title="东村党支部党员花名册", numbering=False):
    """A sheet: a title merged across the top, the header in rows 2–3 (`merges`: (first col, last col) of the
    first-row headings that span columns; every other first-row heading is merged down both rows), then `rows`."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("花名册")
    ws.merge_range(0, 0, 0, len(sub) - 1, title)
    spans = {c0: c1 for c0, c1 in merges}
    covered = {c for c0, c1 in merges for c in range(c0 + 1, c1 + 1)}
    for c, text in enumerate(top):
        if c in covered:
            continue
        if c in spans:
            ws.merge_range(1, c, 1, spans[c], text)
        elif sub[c]:
            ws.write_string(1, c, text)
        else:
            ws.merge_range(1, c, 2, c, text)
    for c, text in enumerate(sub):
        if text:
            ws.write_string(2, c, text)
    first = 3
    if numbering:
        ws.write_row(3, 0, list(range(1, len(sub) + 1)))
        first = 4
    for r, row in enumerate(rows, start=first):
        ws.write_row(r, 0, row)
    wb.close()
    return path


TOP = ["序号", "姓名", "性别", "民族", "身份证号", "出生年月", "文化程度", "党员类别", "入党时间", "", "联系方式", "",
       "工作岗位", "所在支部编码"]
SUB = ["", "", "", "", "", "", "", "", "入党日期", "转正日期", "手机", "固定电话", "", ""]


def _cells(i, row):
    """member_row's cells in TOP's order (序号 first, a blank 固定电话)."""
    name, gender, eth, ident, birth, edu, cat, joined, confirmed, job, phone, org = row
    return [str(i), name, gender, eth, ident, birth, edu, cat, joined, confirmed, phone, "", job, org]


def test_a_printed_roster_with_a_two_row_header_imports(tree, tmp_path):
    rows = [_cells(1, member_row("甲", seq=11)), _cells(2, member_row("乙", seq=13, category="预备党员", confirmed=""))]
    path = _roster(tmp_path / "two.xlsx", TOP, [(8, 9), (10, 11)], SUB, rows)
    assert run("import_members", str(path)) == (0, {"created": 2, "updated": 0, "unchanged": 0})
    jia = Member.objects.get(name="甲")
    assert (str(jia.joined_on), str(jia.confirmed_on), jia.phone) == ("2012-07-01", "2013-07-01", "13800001234")
    assert Member.objects.get(name="乙").category == "probationary"
    # a bad cell is reported on the sheet's own row: the data starts on row 4
    rows[1][4] = "110101199003070012"
    status, out = run("import_members", str(_roster(tmp_path / "two.xlsx", TOP, [(8, 9), (10, 11)], SUB, rows)))
    assert status == 1 and [(e["row"], e["column"]) for e in out["errors"]] == [(5, "公民身份号码")]


def test_a_numbering_row_under_the_header_is_part_of_it(tree, tmp_path):
    rows = [_cells(1, member_row("甲", seq=11))]
    path = _roster(tmp_path / "n.xlsx", TOP, [(8, 9), (10, 11)], SUB, rows, numbering=True)
    assert run("import_members", str(path)) == (0, {"created": 1, "updated": 0, "unchanged": 0})
    # the same under a one-row header, in a CSV: (1) (2) … after 甲 乙
    header = ["序号", *TOP[1:8], "入党日期", "转正日期", "手机", "固定电话", "工作岗位", "所在支部编码"]
    numbering = ["甲", "乙"] + [f"({n})" for n in range(1, 13)]
    path = write_csv(tmp_path / "n.csv", [numbering, _cells(1, member_row("乙", seq=13))], header=header)
    assert run("import_members", str(path)) == (0, {"created": 1, "updated": 0, "unchanged": 0})


def test_a_csv_saved_from_a_two_row_header_imports(tree, tmp_path):
    """In a CSV the merges are gone: a group heading stands over its first column and blanks follow. Here it is the
    second half of the names (时间 over 入党 and 转正)."""
    top = TOP[:8] + ["时间", "", "联系电话", "", "工作岗位", "所在支部编码"]
    sub = SUB[:8] + ["入党", "转正", "", "", "", ""]
    row = _cells(1, member_row("甲", seq=11))
    path = write_csv(tmp_path / "c.csv", [sub, row], header=top)
    assert run("import_members", str(path)) == (0, {"created": 1, "updated": 0, "unchanged": 0})
    assert str(Member.objects.get().confirmed_on) == "2013-07-01"


def test_a_group_row_that_happens_to_name_columns_is_read_with_the_row_under_it(tree, tmp_path):
    """基本情况 | 入党时间 | 联系方式 above the real headings: its own two matches do not make it the header."""
    top = ["基本情况", "", "", "", "", "", "", "", "入党时间", "", "联系方式", "", "", ""]
    sub = ["序号", "姓名", "性别", "民族", "身份证号", "出生年月", "文化程度", "党员类别", "入党日期", "转正日期",
           "手机", "固定电话", "工作岗位", "所在支部编码"]
    path = write_csv(tmp_path / "g.csv", [sub, _cells(1, member_row("甲", seq=11))], header=top)
    assert run("import_members", str(path)) == (0, {"created": 1, "updated": 0, "unchanged": 0})


@pytest.mark.parametrize("joined,confirmed", [("预备", "正式"), ("预备党员", "转正"), ("预备", "正式党员")])
def test_join_time_split_into_probationary_and_full(tree, tmp_path, joined, confirmed):
    # 入党时间 over 预备 | 正式: admitted as a probationary member (the 入党日期) and made a full member (转正日期).
    sub = SUB[:8] + [joined, confirmed] + SUB[10:]
    rows = [_cells(1, member_row("甲", seq=11)), _cells(2, member_row("乙", seq=13, category="预备党员", confirmed=""))]
    path = _roster(tmp_path / "p.xlsx", TOP, [(8, 9), (10, 11)], sub, rows)
    assert run("import_members", str(path)) == (0, {"created": 2, "updated": 0, "unchanged": 0})
    jia = Member.objects.get(name="甲")
    assert (str(jia.joined_on), str(jia.confirmed_on)) == ("2012-07-01", "2013-07-01")
    assert Member.objects.get(name="乙").confirmed_on is None


def test_probationary_and_full_name_nothing_under_another_heading(tree, tmp_path):
    top = TOP[:8] + ["党员身份", ""] + TOP[10:]
    sub = SUB[:8] + ["预备", "正式"] + SUB[10:]
    path = _roster(tmp_path / "o.xlsx", top, [(8, 9), (10, 11)], sub, [_cells(1, member_row())])
    status, out = run("import_members", str(path))
    assert status == 1 and [e["column"] for e in out["errors"]] == ["入党日期"]  # missing: not taken from 预备
    assert not Member.objects.exists()


def test_a_group_heading_whose_columns_cannot_be_told_apart_is_reported(tree, tmp_path):
    sub = SUB[:8] + ["第一次", "第二次"] + SUB[10:]
    path = _roster(tmp_path / "a.xlsx", TOP, [(8, 9), (10, 11)], sub, [_cells(1, member_row())])
    status, out = run("import_members", str(path))
    assert status == 1 and out["errors"] == [{"row": 2, "column": "入党日期", "value": "入党时间", "message": (
        "两层表头中“入党时间”下分为“第一次”、“第二次”几列，无法确定哪一列是“入党日期”：请把是入党日期的那一列第3行的表头改"
        "为“入党日期”；都不是的，请把第2行的“入党时间”改为其他名称")}]
    assert not Member.objects.exists()


def test_a_missing_column_names_both_header_rows(tree, tmp_path):
    top, sub = TOP[:13], SUB[:13]  # no 所在支部编码
    # a title that names no branch (东村党支部党员花名册 would place the rows in the one branch ending with 东村党支部)
    path = _roster(tmp_path / "m.xlsx", top, [(8, 9), (10, 11)], sub, [_cells(1, member_row())[:13]], title="党员花名册")
    status, out = run("import_members", str(path))
    assert status == 1 and out["errors"][0]["message"].startswith("缺少“所在党组织编码”列（第2–3行表头中")


def test_org_files_may_have_a_two_row_header(tree, tmp_path):
    top = ["党组织", "", "上级党组织编码", "党组织类别", "所属领域"]
    sub = ["编码", "名称", "", "", ""]
    path = write_csv(tmp_path / "o.csv", [sub, ["CA1B9", "新村党支部", "CA1", "党支部", "农村"]], header=top)
    status, out = run("import_orgs", str(path))
    assert status == 0, out


def test_a_row_of_notes_under_the_header_is_part_of_it(tree, tmp_path):
    notes = ["必填", "选填", "必填", "（18位）", "选填", "必填", "必填", "格式：2020-01-05", "", "", "", "（支部编码）"]
    path = write_csv(tmp_path / "n.csv", [notes, [str(n) for n in range(1, 13)], member_row("甲", seq=11)])
    assert run("import_members", str(path)) == (0, {"created": 1, "updated": 0, "unchanged": 0})
    # a member's row that happens to hold a bracketed note is not one
    row = member_row("乙", seq=13, job="（退休）")
    assert run("import_members", str(write_csv(tmp_path / "n.csv", [notes, row])))[1]["created"] == 1


# 出生年月 over 年 | 月, 入党时间 over 年 | 月 | 日 and 转正时间 over 年 | 月 | 日, as some printed forms have them.
SPLIT_TOP = ["序号", "姓名", "性别", "民族", "身份证号", "出生年月", "", "文化程度", "党员类别", "入党时间", "", "",
             "转正时间", "", "", "联系电话", "所在支部编码"]
SPLIT_SUB = ["", "", "", "", "", "年", "月", "", "", "年", "月", "日", "年", "月", "日", "", ""]
SPLIT_MERGES = [(5, 6), (9, 11), (12, 14)]


def _split_cells(i, name, seq, birth, joined, confirmed, category="正式党员"):
    row = member_row(name, seq=seq, category=category)
    return [i, name, "男", "汉族", row[3], *birth, "大学本科", category, *joined, *confirmed, "13800001234", "CA1B1"]


@pytest.mark.parametrize("xlsx", [True, False], ids=["xlsx", "csv"])
def test_dates_split_into_year_month_and_day_columns(tree, tmp_path, xlsx):
    """Each split date is read as one: the day of a 出生年月 from the ID; numbers as Excel holds them; a probationary
    member's empty 转正时间 stays empty."""
    rows = [_split_cells(1, "甲", 11, (1990, 3), (2012, 7, 1), (2013, 7, 1)),
            _split_cells(2, "乙", 13, ("1990", "03"), ("2024", "6", "30"), ("", "", ""), category="预备党员")]
    if xlsx:
        path = _roster(tmp_path / "s.xlsx", SPLIT_TOP, SPLIT_MERGES, SPLIT_SUB, rows)
    else:
        path = write_csv(tmp_path / "s.csv", [SPLIT_SUB, *rows], header=SPLIT_TOP)
    assert run("import_members", str(path)) == (0, {"created": 2, "updated": 0, "unchanged": 0})
    jia, yi = Member.objects.get(name="甲"), Member.objects.get(name="乙")
    assert (jia.birth_date, str(jia.joined_on), str(jia.confirmed_on)) == (
        dt.date(1990, 3, 7), "2012-07-01", "2013-07-01")
    assert (str(yi.joined_on), yi.confirmed_on, yi.category) == ("2024-06-30", None, "probationary")
    assert run("import_members", str(path))[1] == {"created": 0, "updated": 0, "unchanged": 2}


def test_a_split_date_missing_a_part_is_that_cells_error(tree, tmp_path):
    rows = [_split_cells(1, "甲", 11, (1990, 3), (2012, "", 1), (2013, 7, 1)),
            _split_cells(2, "乙", 13, (1990, 4), (2012, 7, 1), (2013, 7, 1))]
    path = _roster(tmp_path / "s.xlsx", SPLIT_TOP, SPLIT_MERGES, SPLIT_SUB, rows)
    status, out = run("import_members", str(path))
    assert status == 1 and [(e["row"], e["column"], e["value"]) for e in out["errors"]] == [
        (4, "入党日期", "2012年月1日"), (5, "出生日期", "1990年4月")]
    assert out["errors"][1]["message"] == "出生年月与公民身份号码不符（号码中为1990年3月）"
    assert not Member.objects.exists()


def test_year_and_month_under_another_heading_name_nothing(tree, tmp_path):
    top = SPLIT_TOP[:5] + ["任职", ""] + SPLIT_TOP[7:]
    rows = [_split_cells(1, "甲", 11, (2020, 3), (2012, 7, 1), (2013, 7, 1))]
    status, out = run("import_members", str(_roster(tmp_path / "s.xlsx", top, SPLIT_MERGES, SPLIT_SUB, rows)))
    assert status == 0 and Member.objects.get().birth_date == dt.date(1990, 3, 7)  # from the ID: 任职 is no date
