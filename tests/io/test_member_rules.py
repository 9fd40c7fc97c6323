"""CONTRACT “Import columns” for members, rule by rule: synonyms, date forms, encodings, Excel cells,
every invalid row reported, nothing written on error, idempotence, history source, dry run."""

import datetime as dt

import pytest

from dangjian.members.models import Member
from tests.io.helpers import MEMBER_HEADER, ident, member_row, run, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def test_header_synonyms_and_free_column_order(tree, tmp_path):
    header = ["序号", "身份证号码", "姓名", "民族", "学历", "党员类别", "入党日期", "手机号码", "所在支部编码", "备注"]
    row = ["1", ident(), "张三", "汉族", "本科", "正式党员", "2012-07-01", "13900001111", "CA1B1", "无"]
    f = write_csv(tmp_path / "s.csv", [row], header=header)
    assert run("import_members", str(f)) == (0, {"created": 1, "updated": 0, "unchanged": 0})
    m = Member.objects.get()
    assert (m.phone, m.gender, m.birth_date) == ("13900001111", "M", dt.date(1990, 3, 7))  # from the ID


def test_headers_of_home_made_rosters(tree, tmp_path):
    """The names branches' own sheets use (文化程度, 入党时间, 出生年月, 联系方式, 工作单位及职务 …) are read as the
    template's columns; a birth written to the month only is taken when the ID agrees."""
    header = ["序号", "党员姓名", "性别", "民族", "身份证号码", "出生年月", "文化程度", "党员类别", "入党时间", "转正时间",
              "工作单位及职务", "联系方式", "所在支部编码"]
    row = ["1", "张三", "男", "汉", ident(), "1990.03", "大专", "正式党员", "2012年7月1日", "2013年7月1日", "何家峪村村民",
           "138 0000 1234", "CA1B1"]
    assert run("import_members", str(write_csv(tmp_path / "h.csv", [row], header=header)))[0] == 0
    m = Member.objects.get()
    assert (m.name, m.ethnicity, m.birth_date, m.education, m.joined_on, m.confirmed_on, m.job, m.phone) == (
        "张三", "汉族", dt.date(1990, 3, 7), "college", dt.date(2012, 7, 1), dt.date(2013, 7, 1), "何家峪村村民",
        "13800001234")
    assert run("import_members", str(write_csv(tmp_path / "h.csv", [row], header=header)))[1] == {
        "created": 0, "updated": 0, "unchanged": 1}


@pytest.mark.parametrize("cell", ["1990.03", "1990-3", "1990/03", "1990年3月", "199003", 199003])
def test_a_birth_month_that_agrees_with_the_id_is_enough(tree, tmp_path, cell):
    f = write_xlsx(tmp_path / "b.xlsx", [member_row(birth_cell=cell)])
    assert run("import_members", str(f))[0] == 0
    assert Member.objects.get().birth_date == dt.date(1990, 3, 7)


@pytest.mark.parametrize("cell,birth", [(1990.03, dt.date(1990, 3, 7)), (1990.12, dt.date(1990, 12, 7)),
                                        (1990.1, dt.date(1990, 1, 7)), (1990.1, dt.date(1990, 10, 7)),
                                        ("1990.1", dt.date(1990, 10, 7))])
def test_a_birth_month_typed_as_a_number_is_a_year_and_month(tree, tmp_path, cell, birth):
    # Typed into Excel, 1990.03 is a number; 1990.10 becomes 1990.1 (shown so, saved so to CSV), which may be
    # January or October: the ID says which, and gives the day.
    f = write_xlsx(tmp_path / "b.xlsx", [member_row(birth=birth, birth_cell=cell)])
    assert run("import_members", str(f))[0] == 0
    assert Member.objects.get().birth_date == birth


@pytest.mark.parametrize("cell,birth", [(1990.1, dt.date(1990, 11, 7)), ("1990.10", dt.date(1990, 1, 7)),
                                        (1991.03, dt.date(1990, 3, 7))])
def test_a_birth_month_typed_as_a_number_still_must_agree_with_the_id(tree, tmp_path, cell, birth):
    f = write_xlsx(tmp_path / "b.xlsx", [member_row(birth=birth, birth_cell=cell)])
    status, out = run("import_members", str(f))
    assert status == 1 and [(e["column"], e["message"]) for e in out["errors"]] == [
        ("出生日期", f"出生年月与公民身份号码不符（号码中为{birth.year}年{birth.month}月）")]


@pytest.mark.parametrize("birth", [dt.date(1990, 3, 7), dt.date(1990, 3, 1)])
def test_an_excel_date_on_the_first_of_the_month_is_a_birth_year_and_month(tree, tmp_path, birth):
    # “1990-3” typed into Excel is kept as the date 1990-03-01 (shown 1990年3月): every row of such a 出生年月
    # column would disagree with the ID's day otherwise.
    f = write_xlsx(tmp_path / "b.xlsx", [member_row(birth=birth, birth_cell=dt.date(1990, 3, 1))])
    assert run("import_members", str(f))[0] == 0
    assert Member.objects.get().birth_date == birth
    assert run("import_members", str(f))[1] == {"created": 0, "updated": 0, "unchanged": 1}


@pytest.mark.parametrize("cell", [dt.date(1990, 4, 1), "1990-03-01"])
def test_a_first_of_the_month_that_disagrees_or_is_typed_out_is_a_full_date(tree, tmp_path, cell):
    f = write_xlsx(tmp_path / "b.xlsx", [member_row(birth=dt.date(1990, 3, 7), birth_cell=cell)])
    status, out = run("import_members", str(f))
    assert status == 1 and [(e["column"], e["message"]) for e in out["errors"]] == [
        ("出生日期", "出生日期与公民身份号码不符（号码中为1990-03-07）")]


def test_a_birth_month_that_disagrees_with_the_id_is_an_error(tree, tmp_path):
    status, out = run("import_members", str(write_csv(tmp_path / "b.csv", [member_row(birth_cell="1990.04")])))
    assert status == 1 and out["errors"] == [{"row": 2, "column": "出生日期", "value": "1990.04",
                                              "message": "出生年月与公民身份号码不符（号码中为1990年3月）"}]


def test_a_birth_month_beside_a_bad_id_reports_the_id_only(tree, tmp_path):
    row = member_row(birth_cell="1990.03")
    row[3] = row[3][:-1] + ("1" if row[3][-1] != "1" else "2")
    status, out = run("import_members", str(write_csv(tmp_path / "b.csv", [row])))
    assert status == 1 and [(e["column"], "校验位" in e["message"]) for e in out["errors"]] == [("公民身份号码", True)]


@pytest.mark.parametrize("cell", ["2012.07", "2012年7月", "2012-07", "201207", 201207])
def test_join_and_confirm_dates_must_name_the_day(tree, tmp_path, cell):
    f = write_xlsx(tmp_path / "j.xlsx", [member_row(joined=cell, confirmed="2013.07")])
    status, out = run("import_members", str(f))
    assert status == 1 and [(e["column"], e["message"]) for e in out["errors"]] == [
        ("入党日期", "日期只写到了月份，请写到日，如2020-01-05"), ("转正日期", "日期只写到了月份，请写到日，如2020-01-05")]
    assert Member.objects.count() == 0


@pytest.mark.parametrize("cell", [2012, 2012.7])
def test_a_year_typed_into_a_numeric_date_cell_is_not_read_as_an_excel_serial(tree, tmp_path, cell):
    # As serial numbers these would be dates in 1905; the message says what the cell holds instead.
    status, out = run("import_members", str(write_xlsx(tmp_path / "y.xlsx", [member_row(joined=cell)])))
    assert status == 1 and out["errors"][0]["column"] == "入党日期"
    assert out["errors"][0]["message"] == f"单元格是数字“{cell:g}”，不是日期；请写到日，如2020-01-05"


def test_an_id_number_stored_as_a_number_is_never_taken(tree, tmp_path):
    """Excel keeps 15 significant digits: an 18-digit ID in a numeric cell has lost its last digits, and some of
    the damaged numbers still pass the checksum (this one does: it would import as somebody else's ID)."""
    from dangjian.core import idcard

    excel = next(n[:15] + "000" for n in (idcard.make("110101", dt.date(1990, 3, d), 11) for d in range(1, 29))
                 if idcard.check_char(n[:15] + "00") == "0")
    assert idcard.parse(excel)  # the damaged number is a valid ID: only the cell's type gives it away
    row = member_row()
    row[3] = float(excel)
    status, out = run("import_members", str(write_xlsx(tmp_path / "n.xlsx", [row])))
    assert status == 1 and out["errors"] == [{
        "row": 2, "column": "公民身份号码", "value": excel,
        "message": "单元格是数字格式，Excel只保留15位有效数字，后几位已丢失；请把该列设为“文本”格式，重新录入后再导入"}]
    assert Member.objects.count() == 0


def test_an_id_number_in_scientific_notation_is_named_so(tree, tmp_path):
    row = member_row()
    row[3] = "1.10101E+17"  # a CSV saved by Excel from a sheet whose ID column was numeric
    status, out = run("import_members", str(write_csv(tmp_path / "e.csv", [row])))
    assert status == 1 and out["errors"][0]["value"] == "1.10101E+17"
    assert out["errors"][0]["message"].startswith("显示为科学计数法，后几位已丢失")


@pytest.mark.parametrize("joined", ["2012-07-01", "2012/7/1", "2012.07.01", "2012年7月1日", "20120701", "二〇一二年七月一日",
                                    "2012。7。1", "2012年7月1号"])
def test_each_written_date_form(tree, tmp_path, joined):
    f = write_csv(tmp_path / "d.csv", [member_row(joined=joined, confirmed="")])
    assert run("import_members", str(f))[0] == 0
    assert Member.objects.get().joined_on == dt.date(2012, 7, 1)


@pytest.mark.parametrize("encoding,bom", [("utf-8", False), ("utf-8", True), ("gb18030", False), ("gbk", False)])
def test_csv_encodings(tree, tmp_path, encoding, bom):
    f = write_csv(tmp_path / "e.csv", [member_row("欧阳娜", gender="女", seq=22, ethnicity="维吾尔族")],
                  encoding=encoding, bom=bom)
    assert run("import_members", str(f))[0] == 0
    m = Member.objects.get()
    assert (m.name, m.ethnicity) == ("欧阳娜", "维吾尔族")


def test_gb18030_only_characters_survive(tree, tmp_path):
    # 䶮 (U+4DAE) is in GB18030 but not in GBK: a real name character (刘䶮).
    f = write_csv(tmp_path / "g.csv", [member_row("刘䶮")], encoding="gb18030")
    assert run("import_members", str(f))[0] == 0
    assert Member.objects.get().name == "刘䶮"


def test_real_xlsx_with_excel_dates_and_numbers(tree, tmp_path):
    row = member_row()
    row[4] = dt.date(1990, 3, 7)  # a real Excel date
    row[7] = dt.date(2012, 7, 1)
    row[8] = 20130701  # a number typed into a cell: read as the written form
    row[10] = 13800001234  # a phone number stored as a number
    f = write_xlsx(tmp_path / "x.xlsx", [row])
    assert run("import_members", str(f)) == (0, {"created": 1, "updated": 0, "unchanged": 0})
    m = Member.objects.get()
    assert (m.joined_on, m.confirmed_on, m.phone) == (dt.date(2012, 7, 1), dt.date(2013, 7, 1), "13800001234")
    assert run("import_members", str(f)) == (0, {"created": 0, "updated": 0, "unchanged": 1})


def test_excel_serial_date_number(tree, tmp_path):
    row = member_row()
    row[7] = 41091  # 2012-07-01 as Excel's serial number in a General-formatted cell
    row[8] = ""
    f = write_xlsx(tmp_path / "x.xlsx", [row])
    assert run("import_members", str(f))[0] == 0
    assert Member.objects.get().joined_on == dt.date(2012, 7, 1)


def test_spaces_full_width_and_title_row_are_tolerated(tree, tmp_path):
    import csv

    row = member_row()
    row[0] = "\u3000张三 "
    row[3] = " " + "".join(chr(ord(c) + 0xFEE0) for c in row[3]) + "\u3000"  # full-width digits
    row[11] = " CA1B1\u3000"
    path = tmp_path / "t.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["东村党支部党员名册"])  # a title row above the header
        w.writerow(["姓  名"] + MEMBER_HEADER[1:])
        w.writerow(row)
    assert run("import_members", str(path))[0] == 0
    m = Member.objects.get()
    assert (m.name, m.id_number, m.org.code) == ("张三", ident(), "CA1B1")


def test_blank_lines_between_blocks_are_skipped_whatever_blank_marks_they_hold(tree, tmp_path):
    """Rows that are empty after cleaning (spaces, full-width spaces, zero-width marks, a BOM) are gaps in the
    roster, not members with missing cells; the numbers of the rows after them stay the spreadsheet's."""
    blanks = [[""] * 12, [" ", "\u3000"] + [""] * 10, ["\u200b"] + [""] * 11, ["\ufeff", " "] + [""] * 10]
    rows = [member_row(seq=901), *blanks, member_row("李四", seq=903, org="NOPE")]
    status, out = run("import_members", str(write_csv(tmp_path / "b.csv", rows)))
    assert status == 1 and [(e["row"], e["column"]) for e in out["errors"]] == [(7, "所在党组织编码")]
    rows[-1] = member_row("李四", seq=903)
    assert run("import_members", str(write_csv(tmp_path / "b.csv", rows))) == (
        0, {"created": 2, "updated": 0, "unchanged": 0})


def test_every_invalid_row_is_reported_and_nothing_is_written(cast, tmp_path):
    rows = [
        member_row(seq=11),                                          # row 2: valid
        member_row("坏校验", seq=13)[:3] + ["110101199003070012"] + member_row()[4:],  # row 3: checksum
        member_row("性别错", seq=15, gender="女"),                    # row 4: sex disagrees with ID
        member_row("太年轻", seq=17, joined="2000-01-01"),             # row 5: joined before 18
        member_row("转正早", seq=19, confirmed="2011-01-01"),          # row 6: confirmed before joined
        member_row("预备有转正", seq=21, category="预备党员"),           # row 7: probationary with confirmed date
        member_row("重复", seq=11),                                   # row 8: ID repeated (row 2)
        member_row("无支部", seq=23, org="NOPE"),                      # row 9: unknown org
        member_row("在党委", seq=25, org="CA1"),                       # row 10: not a branch
        member_row("怪学历", seq=27, education="幼儿园", ethnicity="火星族"),  # row 11: two bad enums
        member_row("", seq=29, category="", joined=""),               # row 12: three missing cells
        member_row("未来", seq=31, joined="2999-01-01", confirmed=""),  # row 13: joined in the future
        member_row("坏日期", seq=33, joined="2012-13-45"),              # row 14: impossible date
        member_row("怪性别", seq=35, gender="未知"),                     # row 15: unknown gender
        member_row("怪类别", seq=37, category="积极分子"),                # row 16: unknown category
    ]
    # row 17: an active member of another branch (CA1B2) imported into CA1B1
    other = member_row(cast.m3.name, org="CA1B1")
    other[3], other[4] = cast.m3.id_number, ""
    rows.append(other)
    f = write_csv(tmp_path / "bad.csv", rows)
    status, out = run("import_members", str(f))
    assert status == 1
    got = {(e["row"], e["column"]) for e in out["errors"]}
    assert got == {
        (3, "公民身份号码"), (4, "性别"), (5, "入党日期"), (6, "转正日期"), (7, "转正日期"), (8, "公民身份号码"),
        (9, "所在党组织编码"), (10, "所在党组织编码"), (11, "学历"), (11, "民族"), (12, "姓名"), (12, "人员类别"),
        (12, "入党日期"), (13, "入党日期"), (14, "入党日期"), (15, "性别"), (16, "人员类别"), (17, "公民身份号码"),
    }
    by = {(e["row"], e["column"]): e for e in out["errors"]}
    assert by[(3, "公民身份号码")]["value"] == "110101199003070012" and "校验位" in by[(3, "公民身份号码")]["message"]
    assert "第2行" in by[(8, "公民身份号码")]["message"]
    assert by[(9, "所在党组织编码")]["message"] == "党组织编码“NOPE”不存在"
    assert "党支部" in by[(10, "所在党组织编码")]["message"]
    assert by[(11, "学历")]["value"] == "幼儿园"
    assert "转接" in by[(17, "公民身份号码")]["message"] and "城关镇西村党支部" in by[(17, "公民身份号码")]["message"]
    assert [e["row"] for e in out["errors"]] == sorted(e["row"] for e in out["errors"])
    assert all(e["message"] for e in out["errors"])
    assert Member.objects.count() == 4  # the cast only: the valid row 2 was not written either


def test_missing_required_column_is_reported_on_the_header_row(tree, tmp_path):
    header = [h for h in MEMBER_HEADER if h != "入党日期"]
    row = [v for h, v in zip(MEMBER_HEADER, member_row()) if h != "入党日期"]
    status, out = run("import_members", str(write_csv(tmp_path / "h.csv", [row], header=header)))
    assert status == 1 and out["errors"] == [
        {"row": 1, "column": "入党日期", "value": "",
         "message": "缺少“入党日期”列（第1行表头中应有一列名为“入党日期”、“入党时间”之一）"}]


def test_changed_cell_updates_the_member_with_the_import_as_history_source(cast, tmp_path):
    f = write_csv(tmp_path / "v1.csv", [member_row()])
    run("import_members", str(f))
    f2 = write_csv(tmp_path / "v2.csv", [member_row(job="村支书", phone="13911112222")])
    assert run("import_members", str(f2)) == (0, {"created": 0, "updated": 1, "unchanged": 0})
    m = Member.objects.get(id_number=ident())
    assert (m.job, m.phone) == ("村支书", "13911112222")
    latest, first = m.history.all()[:2]
    assert latest.history_change_reason == "导入：v2.csv" and latest.history_type == "~"
    assert first.job == "教师"


def test_probationary_becoming_full_moves_the_counters(cast, tmp_path):
    row = [cast.m2.name, "女", "汉族", cast.m2.id_number, "", "大学本科", "正式党员", "2025-06-01", "2026-06-01",
           cast.m2.job, cast.m2.phone, "CA1B1"]
    import time_machine

    with time_machine.travel(dt.date(2026, 7, 1)):
        assert run("import_members", str(write_csv(tmp_path / "c.csv", [row])))[1]["updated"] == 1
    b1 = cast.tree.b1
    b1.refresh_from_db()
    assert (b1.direct_full, b1.direct_probationary) == (2, 0)
    from dangjian.orgs.actions import rebuild_counts
    from dangjian.orgs.models import Org

    before = list(Org.objects.values_list("code", "direct_full", "direct_probationary", "subtree_full", "subtree_probationary"))
    rebuild_counts()
    assert list(Org.objects.values_list("code", "direct_full", "direct_probationary", "subtree_full", "subtree_probationary")) == before


def test_dry_run_writes_nothing_but_reports_counts(cast, tmp_path):
    f = write_csv(tmp_path / "d.csv", [member_row(), member_row("李四", seq=33)])
    assert run("import_members", str(f), "--dry-run") == (0, {"created": 2, "updated": 0, "unchanged": 0})
    assert Member.objects.count() == 4
    from dangjian.core.models import Event

    assert not Event.objects.filter(verb="member.import").exists()


def test_default_org_fills_rows_without_a_code(tree, tmp_path):
    header = MEMBER_HEADER[:-1]
    f = write_csv(tmp_path / "n.csv", [member_row()[:-1]], header=header)
    status, out = run("import_members", str(f))
    assert status == 1 and out["errors"][0]["column"] == "所在党组织编码"
    assert run("import_members", str(f), "--org", "CA1B2")[0] == 0
    assert Member.objects.get().org == tree.b2


def test_text_output_without_format_json(tree, tmp_path):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("import_members", str(write_csv(tmp_path / "t.csv", [member_row()])), stdout=out)
    assert "新增1" in out.getvalue()


def test_an_interrupted_import_leaves_the_database_as_it_was(cast, tmp_path, monkeypatch):
    from dangjian.io import members_import

    def boom(*a, **k):
        raise RuntimeError("connection lost")

    monkeypatch.setattr(members_import, "_apply_counts", boom)  # fails after the members were inserted
    history = Member.history.count()
    f = write_csv(tmp_path / "i.csv", [member_row(), member_row("李四", seq=33)])
    with pytest.raises(RuntimeError):
        run("import_members", str(f))
    assert Member.objects.count() == 4 and Member.history.count() == history


@pytest.mark.parametrize("streamed", [False, True], ids=["calamine", "xlsx_stream"])
def test_cells_merged_down_a_column_hold_their_value_on_every_row(tree, tmp_path, monkeypatch, streamed):
    """A roster with each branch's code merged over its members' rows (and a title merged across the top): every
    member gets the code the sheet shows beside them, also when the file is large enough to be streamed."""
    import xlsxwriter

    from dangjian.io import readers

    if streamed:
        monkeypatch.setattr(readers, "STREAM_XLSX_ABOVE", 0)

    path = tmp_path / "merged.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.merge_range(0, 1, 0, 12, "党员花名册")
    ws.write_row(1, 1, MEMBER_HEADER)  # the table starts in column B
    rows = [member_row("甲", seq=11), member_row("乙", seq=13), member_row("丙", seq=15, org="CA1B2")]
    for r, row in enumerate(rows, start=2):
        ws.write_row(r, 1, row[:11])
    ws.merge_range(2, 12, 3, 12, "CA1B1")  # 所在党组织编码 of 甲 and 乙
    ws.write(4, 12, "CA1B2")
    wb.close()
    assert run("import_members", str(path)) == (0, {"created": 3, "updated": 0, "unchanged": 0})
    assert dict(Member.objects.values_list("name", "org__code")) == {"甲": "CA1B1", "乙": "CA1B1", "丙": "CA1B2"}


def test_totals_and_signature_lines_under_the_table_are_not_members(tree, tmp_path):
    rows = [member_row(seq=11), ["小计：1人"] + [""] * 11, member_row("李四", seq=13),
            ["合计：2人"] + [""] * 11, ["填表人：王五", "", "", "审核人：赵六"] + [""] * 6 + ["联系电话：13800001111", ""]]
    assert run("import_members", str(write_csv(tmp_path / "f.csv", rows))) == (
        0, {"created": 2, "updated": 0, "unchanged": 0})
    # a row that only looks like one is still reported: here a name with neither ID nor anything else
    rows.append(["王五"] + [""] * 11)
    status, out = run("import_members", str(write_csv(tmp_path / "f.csv", rows)))
    assert status == 1 and {e["row"] for e in out["errors"]} == {7}


ORG_NAME_HEADER = MEMBER_HEADER[:-1] + ["所在党支部"]


def test_a_sheet_may_name_each_branch_instead_of_giving_its_code(tree, tmp_path):
    """A town's combined roster names the branch (所在党支部) rather than its code: the full name of one
    organization is enough. An unknown name, a name two organizations share and a blank cell are that row's error."""
    from tests.factories import make_org

    make_org("CB02", "城关镇西村党支部", "branch", parent=tree.district)  # the same name as CA1B2, elsewhere
    rows = [member_row("甲", seq=11, org="城关镇东村党支部"), member_row("乙", seq=13, org="南村党支部"),
            member_row("丙", seq=15, org="城关镇西村党支部"), member_row("丁", seq=17, org="")]
    status, out = run("import_members", str(write_csv(tmp_path / "n.csv", rows, header=ORG_NAME_HEADER)))
    assert status == 1 and [(e["row"], e["column"], e["value"], e["message"]) for e in out["errors"]] == [
        (3, "所在党组织", "南村党支部", "没有名为“南村党支部”的党组织，请核对全称或改用“所在党组织编码”列"),
        (4, "所在党组织", "城关镇西村党支部", "有2个党组织名为“城关镇西村党支部”，请改用“所在党组织编码”列"),
        (5, "所在党组织", "", "请填写所在党组织（党组织全称），或改用“所在党组织编码”列")]
    rows = [rows[0], member_row("乙", seq=13, org="西区花园社区党支部"), member_row("丙", seq=15, org="东县城关镇党委")]
    status, out = run("import_members", str(write_csv(tmp_path / "n.csv", rows, header=ORG_NAME_HEADER)))
    assert status == 1 and [(e["row"], e["column"]) for e in out["errors"]] == [(4, "所在党组织")]  # not a branch
    assert "党支部" in out["errors"][0]["message"]
    rows.pop()
    assert run("import_members", str(write_csv(tmp_path / "n.csv", rows, header=ORG_NAME_HEADER))) == (
        0, {"created": 2, "updated": 0, "unchanged": 0})
    assert dict(Member.objects.values_list("name", "org__code")) == {"甲": "CA1B1", "乙": "CB01"}


def test_names_are_looked_up_in_the_users_scope_and_codes_win_over_names(cast, tmp_path):
    from dangjian.io.members_import import import_members

    path = write_csv(tmp_path / "n.csv", [member_row("甲", seq=11, org="西区花园社区党支部")], header=ORG_NAME_HEADER)
    result = import_members(path, user=cast.county_admin, dry_run=True)  # 西区 is another county's
    assert [e["message"] for e in result.errors] == [
        "没有名为“西区花园社区党支部”的党组织（或不在您的管理范围内），请核对全称或改用“所在党组织编码”列"]
    # the secretary's own sheet: a blank branch cell takes the organization the upload was made for
    path = write_csv(tmp_path / "n.csv", [member_row("甲", seq=11, org="")], header=ORG_NAME_HEADER)
    result = import_members(path, user=cast.secretary1, default_org="CA1B1", dry_run=True)
    assert not result.errors and result.counts()["created"] == 1
    # with both columns the code decides and the name is not read
    row = member_row("甲", seq=11) + ["不存在的党支部"]
    path = write_csv(tmp_path / "n.csv", [row], header=MEMBER_HEADER + ["所在党支部"])
    assert run("import_members", str(path)) == (0, {"created": 1, "updated": 0, "unchanged": 0})


def test_a_file_without_any_organization_column_says_how_to_name_one(tree, tmp_path):
    header = MEMBER_HEADER[:-1]
    status, out = run("import_members", str(write_csv(tmp_path / "o.csv", [member_row()[:-1]], header=header)))
    assert status == 1 and out["errors"] == [{"row": 1, "column": "所在党组织编码", "value": "", "message": (
        "缺少“所在党组织编码”列（第1行表头中应有一列名为“所在党组织编码”、“党组织编码”、“所在支部编码”、“支部编码”之一）"
        "；也可用“所在党组织”列填写党组织全称，或在导入时指定默认党组织")}]


def test_padded_names_and_any_dot_are_read_as_the_id_card_writes_them(tree, tmp_path):
    rows = [member_row("张　三", seq=11), member_row("李 四", seq=13), member_row("阿依古丽•买买提", seq=15)]
    assert run("import_members", str(write_csv(tmp_path / "n.csv", rows)))[0] == 0
    assert sorted(Member.objects.values_list("name", flat=True)) == ["张三", "李四", "阿依古丽·买买提"]
    rows = [member_row("张三", seq=11), member_row("李四", seq=13), member_row("阿依古丽·买买提", seq=15)]
    assert run("import_members", str(write_xlsx(tmp_path / "n.xlsx", rows)))[1] == {
        "created": 0, "updated": 0, "unchanged": 3}


def test_study_modes_and_party_school_degrees_are_read_as_their_level(tree, tmp_path):
    rows = [member_row("甲", seq=11, education="省委党校大学"), member_row("乙", seq=13, education="在职研究生"),
            member_row("丙", seq=15, education="大专（函授）"), member_row("丁", seq=17, education="中等专科")]
    assert run("import_members", str(write_csv(tmp_path / "e.csv", rows)))[0] == 0
    assert dict(Member.objects.values_list("name", "education")) == {
        "甲": "bachelor", "乙": "postgraduate", "丙": "college", "丁": "vocational"}
    status, out = run("import_members", str(write_csv(tmp_path / "e.csv", [member_row(seq=19, education="党校")])))
    assert status == 1 and out["errors"][0]["message"].startswith("无法识别的学历")


def test_a_masked_export_cannot_overwrite_numbers(cast, tmp_path):
    """A file exported with the numbers masked (1101**********0011, 138****1234) says why it cannot be imported, and
    a masked phone never replaces the member's number."""
    from tests.io.helpers import existing_row

    masked_id = [*member_row(seq=51)[:3], "1101**********0511", *member_row(seq=51)[4:]]
    row = existing_row(cast.m1, phone="138****1234")
    status, out = run("import_members", str(write_csv(tmp_path / "m.csv", [masked_id, row])))
    message = "号码中有“*”：这是隐去了中间几位的号码（如按权限打码的导出文件中的），请填写完整的号码"
    assert status == 1 and [(e["row"], e["column"], e["message"]) for e in out["errors"]] == [
        (2, "公民身份号码", message), (3, "联系电话", message)]
    cast.m1.refresh_from_db()
    assert "*" not in cast.m1.phone


def test_cells_another_system_kept_excel_from_converting(tree, tmp_path):
    """CSV exports of other systems write numbers that Excel must keep as text as ="110101…" (a formula Excel shows
    as the text) or after an apostrophe ('110101…); a file imported as it came holds those characters."""
    first = member_row(joined='="2012-07-01"')
    first[3], first[10], first[11] = f'="{first[3]}"', "'13800001234", '="CA1B1"'
    second = member_row("李四", seq=33)
    second[3] = "'" + second[3]
    path = write_csv(tmp_path / "x.csv", [first, second])
    assert run("import_members", str(path)) == (0, {"created": 2, "updated": 0, "unchanged": 0})
    zhang = Member.objects.get(name="张三")
    assert (zhang.id_number, zhang.phone, zhang.org.code, zhang.joined_on) == (
        ident(), "13800001234", "CA1B1", dt.date(2012, 7, 1))
    assert Member.objects.get(name="李四").id_number == ident(seq=33)
    assert run("import_members", str(path))[1] == {"created": 0, "updated": 0, "unchanged": 2}


def test_an_org_code_that_lost_its_leading_zeros_is_named(tree, tmp_path):
    """所在党组织编码 0011 kept by Excel as the number 11: the row's error says which code it may be, among the
    organizations the user sees only."""
    from tests.factories import make_org, make_user

    make_org("0011", "城关镇南村党支部", "branch", parent=tree.town)
    make_org("0099", "西区河畔社区党支部", "branch", parent=tree.district)
    from dangjian.io.members_import import import_members

    rows = [member_row(org=11), member_row("李四", seq=33, org="99")]
    path = write_xlsx(tmp_path / "z.xlsx", rows)
    zeros = "Excel会去掉数字开头的0，请把该列设为“文本”格式，重新录入后再导入"
    result = import_members(path, dry_run=True, user=make_user("town", "admin", tree.town))
    assert [(e["row"], e["message"]) for e in result.errors] == [
        (2, f"党组织编码“11”不存在，是否应为“0011”？{zeros}"),
        (3, "党组织编码“99”不存在")]  # 0099 is outside the town's scope: not named
    status, out = run("import_members", str(path))  # the command line sees every organization
    assert status == 1 and out["errors"][1]["message"] == f"党组织编码“99”不存在，是否应为“0099”？{zeros}"


def test_a_towns_sheet_may_name_its_villages_branches_by_their_short_names(cast, tmp_path):
    """A town's roster says 东村党支部, 东村支部 or 01.西村党支部 where the tree says 城关镇东村党支部: the one branch
    the user sees ending with it (a branch called just 东村党支部 is its full name, and wins). At the county a short
    name two towns' branches end with is the row's error, naming them."""
    from dangjian.io.members_import import import_members
    from tests.factories import make_org

    rows = [member_row("甲", seq=11, org="东村党支部"), member_row("乙", seq=13, org="东村支部"),
            member_row("丙", seq=15, org="01.西村党支部")]
    path = write_csv(tmp_path / "n.csv", rows, header=ORG_NAME_HEADER)
    result = import_members(path, user=cast.town_admin)
    assert result.ok, result.errors
    assert dict(Member.objects.filter(name__in="甲乙丙").values_list("name", "org__code")) == {
        "甲": "CA1B1", "乙": "CA1B1", "丙": "CA1B2"}
    hekou = make_org("CA2", "东县河口镇党委", "committee", parent=cast.tree.county)
    make_org("CA2B1", "河口镇东村党支部", "branch", parent=hekou)
    rows = [member_row("丁", seq=17, org="东村党支部"), member_row("戊", seq=19, org="西村党支部")]
    result = import_members(write_csv(tmp_path / "n.csv", rows, header=ORG_NAME_HEADER), user=cast.county_admin,
                            dry_run=True)
    assert [(e["row"], e["value"], e["message"]) for e in result.errors] == [
        (2, "东村党支部", "有2个党支部的名称以“东村党支部”结尾（城关镇东村党支部、河口镇东村党支部），请写党支部全称"
                          "或改用“所在党组织编码”列")]
    # the town's admin sees only its own 东村
    assert import_members(write_csv(tmp_path / "n.csv", rows, header=ORG_NAME_HEADER), user=cast.town_admin,
                          dry_run=True).ok


def test_a_towns_sheet_in_its_folder_names_its_own_villages(cast, tmp_path):
    """The county zips its towns' sheets in folders (城关镇党委/名册.csv, 河口镇党委/名册.csv), each naming its
    villages 东村党支部: within its folder a short name that two towns' branches end with is the one under it; so
    too in a town's roster titled or named after it."""
    from dangjian.io.members_import import import_members
    from tests.factories import make_org
    from tests.io.test_bundles import pack

    hekou = make_org("CA2", "东县河口镇党委", "committee", parent=cast.tree.county)
    make_org("CA2B1", "河口镇东村党支部", "branch", parent=hekou)
    town = write_csv(tmp_path / "t.csv", [member_row("甲", seq=11, org="东村党支部")], header=ORG_NAME_HEADER)
    other = write_csv(tmp_path / "o.csv", [member_row("乙", seq=13, org="东村支部")], header=ORG_NAME_HEADER)
    path = pack(tmp_path / "county.zip", {"城关镇党委/名册.csv": town, "河口镇党委/名册.csv": other})
    result = import_members(path, user=cast.county_admin)
    assert result.ok, result.errors
    assert dict(Member.objects.filter(name__in="甲乙").values_list("name", "org__code")) == {"甲": "CA1B1", "乙": "CA2B1"}
    # a town's combined roster named after it (or titled so) picks the same way
    town_file = write_csv(tmp_path / "城关镇.csv", [member_row("戊", seq=19, org="东村党支部")], header=ORG_NAME_HEADER)
    assert import_members(town_file, user=cast.county_admin, dry_run=True).ok
    titled = write_csv(tmp_path / "名册.csv", [ORG_NAME_HEADER, member_row("戊", seq=19, org="东村党支部")],
                       header=["2026年河口镇党员花名册"])
    result = import_members(titled, user=cast.county_admin)
    assert result.ok, result.errors
    assert Member.objects.get(name="戊").org.code == "CA2B1"
    # a folder that picks neither leaves the row in error
    fresh = write_csv(tmp_path / "f.csv", [member_row("丙", seq=15, org="东村党支部")], header=ORG_NAME_HEADER)
    again = write_csv(tmp_path / "a.csv", [member_row("丁", seq=17, org="东村党支部")], header=ORG_NAME_HEADER)
    path = pack(tmp_path / "county.zip", {"收到/名册.csv": fresh, "城关镇党委/名册.csv": again})
    result = import_members(path, user=cast.county_admin, dry_run=True)
    assert [e["sheet"] for e in result.errors] == ["收到/名册.csv"]


def test_a_mobile_number_a_digit_short_is_the_rows_error_but_a_stored_one_is_not(cast, tmp_path):
    """A new or changed 联系电话 that starts with 1 must be an 11-digit mobile number (the form's check); a number the
    member already has stays as it is, so a roster that was imported before imports again."""
    from tests.io.helpers import existing_row

    rows = [member_row("钱八", seq=803, phone="1380000123"), member_row("孙九", seq=805, phone="0371-6392 1234"),
            existing_row(cast.m1, phone="139 0000 56789")]
    status, out = run("import_members", str(write_csv(tmp_path / "p.csv", rows)))
    assert status == 1 and [(e["row"], e["column"], e["value"], e["message"]) for e in out["errors"]] == [
        (2, "联系电话", "1380000123", "“1380000123”是10位，手机号码应为11位，请核对"),
        (4, "联系电话", "139 0000 56789", "“139000056789”是12位，手机号码应为11位，请核对")]
    assert not Member.objects.filter(name="孙九").exists()

    Member.objects.filter(pk=cast.m1.pk).update(phone="1390000567")  # typed before the check existed
    cast.m1.refresh_from_db()
    rows = [member_row("孙九", seq=805, phone="0371-6392 1234"), existing_row(cast.m1, job="会计")]
    assert run("import_members", str(write_csv(tmp_path / "q.csv", rows))) == (
        0, {"created": 1, "updated": 1, "unchanged": 0})
    cast.m1.refresh_from_db()
    assert (cast.m1.job, cast.m1.phone) == ("会计", "1390000567")
