"""A date Excel shows only to the month. Typed into Excel, 2012年7月 (or 2012-7) is kept as the date 2012-07-01
under a format such as yyyy"年"m"月"; the 1st is then not a day anybody gave. Both .xlsx readers give such a cell
as a MonthDate (`core.dates`), which the import reads as the year and month it shows: an error for 入党日期 and
转正日期, which must name the day; a year and month checked against the ID for 出生年月."""

import datetime as dt
import zipfile

import pytest
import xlsxwriter

from dangjian.core.dates import MonthDate
from dangjian.io import readers, xlsx_stream
from dangjian.io.readers import read_sheets, read_table
from dangjian.io.xlsx_stream import DATE, NO_DAY, NOT_DATE, format_kind, no_day_cells
from dangjian.members.models import Member
from tests.io.helpers import Formatted, member_row, run, write_xlsx

YM = 'yyyy"年"m"月"'


@pytest.mark.parametrize("code, kind", [
    (YM, NO_DAY), ('[$-804]yyyy"年"m"月";@', NO_DAY), ("yyyy/mm", NO_DAY), ("mmm-yy", NO_DAY),
    ('YYYY"年"M"月"', NO_DAY), ('yyyy"年"', NO_DAY),
    ("yyyy-mm-dd", DATE), ('yyyy"年"m"月"d"日"', DATE), ('m"月"d"日"', DATE), ("hh:mm", DATE), ("yyyy-mm h:mm", DATE),
    ("General", NOT_DATE), ('0"月"', NOT_DATE), ("@", NOT_DATE), ("#,##0.00", NOT_DATE),
])
def test_what_a_number_format_shows(code, kind):
    assert format_kind(code) == kind


def _two_sheets(path):
    """Sheet 党员 starts at column C, with month-only cells (a custom format and the built-in 57) and a merge down
    its 入党日期; sheet 西村 has one month-only cell somewhere else."""
    wb = xlsxwriter.Workbook(str(path))
    ym, b57, iso = (wb.add_format({"num_format": f}) for f in (YM, 57, "yyyy-mm-dd"))
    ws = wb.add_worksheet("党员")
    ws.write_row(2, 2, ["姓名", "入党日期", "转正日期"])
    ws.write_row(3, 2, ["张三"])
    ws.merge_range(3, 3, 4, 3, None)
    ws.write_datetime(3, 3, dt.datetime(2012, 7, 1), ym)
    ws.write_datetime(3, 4, dt.datetime(2013, 7, 1), iso)
    ws.write_row(4, 2, ["李四"])
    ws.write_datetime(4, 4, dt.datetime(2013, 8, 1), b57)
    ws.write_row(5, 2, ["王五"])
    ws.write_datetime(5, 3, dt.datetime(2012, 7, 15), ym)  # the day is there, only hidden: a real date
    ws = wb.add_worksheet("西村")
    ws.write_row(0, 0, ["姓名", "公民身份号码", "转正日期"])
    ws.write_row(1, 0, ["赵六", "x"])
    ws.write_datetime(1, 2, dt.datetime(2014, 5, 1), ym)
    wb.close()
    return path


def _kinds(table):
    return [(number, [(type(c).__name__, str(c)) for c in cells if isinstance(c, dt.date)]) for number, cells in table]


EXPECTED = [(4, [("MonthDate", "2012-07-01"), ("date", "2013-07-01")]),
            (5, [("MonthDate", "2012-07-01"), ("MonthDate", "2013-08-01")]),
            (6, [("date", "2012-07-15")])]


@pytest.mark.parametrize("streamed", [False, True], ids=["calamine", "xlsx_stream"])
def test_both_readers_give_a_month_only_date_as_a_month_date(tmp_path, monkeypatch, streamed):
    path = _two_sheets(tmp_path / "a.xlsx")
    if streamed:
        monkeypatch.setattr(readers, "STREAM_XLSX_ABOVE", 0)
    sheets = [(name, [(n, c) for n, c in rows]) for name, rows in read_sheets(path)]
    assert [name for name, _ in sheets] == ["党员", "西村"]
    members = [row for row in _kinds(sheets[0][1]) if row[1]]
    assert members == EXPECTED  # the merged 入党日期 filled down as the MonthDate it is
    assert [row for row in _kinds(sheets[1][1]) if row[1]] == [(2, [("MonthDate", "2014-05-01")])]


def test_the_cells_are_found_across_the_scans_blocks(tmp_path, monkeypatch):
    path = _two_sheets(tmp_path / "a.xlsx")
    whole = no_day_cells(path, "党员")
    assert whole == {4: [3], 5: [4], 6: [3]}
    for block in (5, 7, 13, 64):  # a tag cut anywhere by a block's end
        monkeypatch.setattr(xlsx_stream, "_SCAN_BLOCK", block)
        assert no_day_cells(path, "党员") == whole
        assert no_day_cells(path, "西村") == {2: [2]}


def test_a_workbook_without_a_month_only_format_is_not_scanned(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "m.xlsx", [member_row(joined=dt.date(2012, 7, 1))])
    opened, open_part = [], zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda z, name, *a, **k: opened.append(name) or open_part(z, name, *a, **k))
    assert no_day_cells(path) == {}
    assert "xl/styles.xml" in opened and not any("worksheets" in str(name) for name in opened)
    monkeypatch.undo()
    assert [type(c) for c in next(r for n, r in read_table(path) if n == 2) if isinstance(c, dt.date)] == [dt.date]


@pytest.mark.django_db
@pytest.mark.parametrize("streamed", [False, True], ids=["calamine", "xlsx_stream"])
def test_a_join_date_shown_to_the_month_must_name_the_day(tree, tmp_path, monkeypatch, streamed):
    if streamed:
        monkeypatch.setattr(readers, "STREAM_XLSX_ABOVE", 0)
    rows = [member_row(joined=Formatted(dt.date(2012, 7, 1), YM), confirmed=Formatted(dt.date(2013, 7, 1), 57)),
            member_row("李四", seq=33, joined=Formatted(dt.date(2012, 7, 15), YM))]
    status, out = run("import_members", str(write_xlsx(tmp_path / "j.xlsx", rows)))
    assert status == 1 and out["errors"] == [
        {"row": 2, "column": "入党日期", "value": "2012年7月",
         "message": "单元格格式只显示到月（2012年7月），看不出是哪一天（Excel存为7月1日）；请把单元格格式改为显示年月日，核对日期后再导入"},
        {"row": 2, "column": "转正日期", "value": "2013年7月",
         "message": "单元格格式只显示到月（2013年7月），看不出是哪一天（Excel存为7月1日）；请把单元格格式改为显示年月日，核对日期后再导入"}]
    assert Member.objects.count() == 0
    rows[0] = member_row(joined=dt.date(2012, 7, 1))  # the same date under a format that shows the day
    assert run("import_members", str(write_xlsx(tmp_path / "j.xlsx", rows))) == (
        0, {"created": 2, "updated": 0, "unchanged": 0})
    assert Member.objects.get(name="李四").joined_on == dt.date(2012, 7, 15)


@pytest.mark.django_db
@pytest.mark.parametrize("streamed", [False, True], ids=["calamine", "xlsx_stream"])
def test_a_birth_date_shown_to_the_month_is_a_year_and_month(tree, tmp_path, monkeypatch, streamed):
    if streamed:
        monkeypatch.setattr(readers, "STREAM_XLSX_ABOVE", 0)
    shown = Formatted(dt.date(1990, 3, 1), YM)
    f = write_xlsx(tmp_path / "b.xlsx", [member_row(birth=dt.date(1990, 3, 7), birth_cell=shown),
                                          member_row("李四", seq=33, birth=dt.date(1990, 4, 7), birth_cell=shown)])
    status, out = run("import_members", str(f))
    assert status == 1 and out["errors"] == [{"row": 3, "column": "出生日期", "value": "1990年3月",
                                              "message": "出生年月与公民身份号码不符（号码中为1990年4月）"}]
    f = write_xlsx(tmp_path / "b.xlsx", [member_row(birth=dt.date(1990, 3, 7), birth_cell=shown)])
    assert run("import_members", str(f))[0] == 0
    assert Member.objects.get().birth_date == dt.date(1990, 3, 7)
    assert run("import_members", str(f))[1] == {"created": 0, "updated": 0, "unchanged": 1}


def test_a_month_date_is_still_a_date():
    d = MonthDate(2012, 7, 1)
    assert d == dt.date(2012, 7, 1) and isinstance(d, dt.date) and d.shown() == "2012年7月"


def _ods(path, body, automatic="", common=""):
    """A bare .ods: content.xml with `automatic` styles and the table rows `body`, styles.xml with `common`."""
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("styles.xml", f'<office:document-styles {ns}><office:styles>{common}</office:styles>'
                                 "</office:document-styles>")
        z.writestr("content.xml", f'<office:document-content {ns}><office:automatic-styles>{automatic}'
                                  '</office:automatic-styles><office:body><office:spreadsheet>'
                                  f'<table:table table:name="其他"><table:table-row><table:table-cell '
                                  'table:style-name="ym" office:value-type="date"/></table:table-row></table:table>'
                                  f'<table:table table:name="党员">{body}</table:table>'
                                  "</office:spreadsheet></office:body></office:document-content>")
    return path


def test_ods_cells_shown_to_the_month_are_found_by_their_style(tmp_path):
    """The cell's style, its row's or its column's default, a style inheriting its parent's data style; repeated
    columns and rows; a date style with a day, and a text cell, are not such cells."""
    from dangjian.io.ods import no_day_cells

    common = ('<number:date-style style:name="N1"><number:year/><number:text>年</number:text><number:month/>'
              '<number:text>月</number:text></number:date-style>'
              '<number:date-style style:name="N2"><number:year/><number:month/><number:day/></number:date-style>'
              '<style:style style:name="ym" style:family="table-cell" style:data-style-name="N1"/>')
    automatic = ('<style:style style:name="child" style:family="table-cell" style:parent-style-name="ym"/>'
                 '<style:style style:name="full" style:family="table-cell" style:data-style-name="N2"/>')
    date = 'office:value-type="date" office:date-value="2012-07-01"'
    body = ('<table:table-column table:number-columns-repeated="2"/>'
            '<table:table-column table:default-cell-style-name="ym"/>'
            '<table:table-column table:number-columns-repeated="5"/>'
            f'<table:table-row><table:table-cell table:style-name="ym" {date}/><table:table-cell/>'
            f'<table:table-cell {date}/><table:table-cell table:style-name="full" {date}/></table:table-row>'
            f'<table:table-row table:number-rows-repeated="2"><table:table-cell table:style-name="child" '
            f'table:number-columns-repeated="2" {date}/><table:table-cell table:style-name="ym" '
            'office:value-type="string"/></table:table-row>'
            f'<table:table-row table:default-cell-style-name="ym"><table:covered-table-cell/>'
            f'<table:table-cell {date}/></table:table-row>')
    path = _ods(tmp_path / "a.ods", body, automatic, common)
    assert no_day_cells(path, "党员") == {1: [0, 2], 2: [0, 1], 3: [0, 1], 4: [1]}
    assert no_day_cells(path) == {1: [0]}  # the first sheet
    assert no_day_cells(_ods(tmp_path / "b.ods", body), "党员") == {}  # no such style: the sheet is not read


def test_formats_that_cannot_be_read_leave_the_dates_as_dates(tmp_path, monkeypatch, caplog):
    path = _two_sheets(tmp_path / "a.xlsx")

    def broken(*args):
        raise ValueError("a styles part no reader expected")

    monkeypatch.setattr(xlsx_stream, "no_day_cells", broken)
    rows = dict(read_table(path))
    assert type(rows[4][1]) is dt.date and "could not read the number formats of a.xlsx" in caplog.text
