""".xlsb (Excel Binary Workbook, what Excel writes when a roster is saved as “Excel 二进制工作簿”): read by calamine as
the other spreadsheets are (every visible sheet, dates as dates), and its number formats by `dangjian.io.xlsb`, so a
date shown only to the month is seen as in an .xlsx. The files are written by tests/io/xlsb_writer.py."""

import datetime as dt
import io
import struct
import zipfile

import pytest

from dangjian.io import xlsb
from dangjian.io.readers import read_sheets, read_table
from dangjian.members.models import Member
from tests.io.helpers import MEMBER_HEADER, Formatted, member_row, run
from tests.io.xlsb_writer import record, wide, write_xlsb

YM = 'yyyy"年"m"月"'
NOTE = "单元格格式只显示到月（{}），看不出是哪一天（Excel存为7月1日）；请把单元格格式改为显示年月日，核对日期后再导入"


def _dated(row):
    """A member_row with its dates as Excel dates, as a typed roster holds them."""
    return [dt.date.fromisoformat(c) if i in (4, 7, 8) and isinstance(c, str) and c else c for i, c in enumerate(row)]


@pytest.mark.django_db
def test_an_xlsb_roster_of_two_sheets_imports_and_again_changes_nothing(tree, tmp_path):
    f = write_xlsb(tmp_path / "名册.xlsb", {
        "说明": [["填表说明"]],
        "东村": [MEMBER_HEADER, _dated(member_row())],
        "西村": [MEMBER_HEADER, _dated(member_row("李四", seq=33, org="CA1B2"))],
    }, hidden=["说明"])
    assert [name for name, _rows in read_sheets(f)] == ["东村", "西村"]
    assert run("import_members", str(f)) == (0, {"created": 2, "updated": 0, "unchanged": 0})
    zhang = Member.objects.get(name="张三")
    assert (zhang.joined_on, zhang.confirmed_on, zhang.org.code) == (dt.date(2012, 7, 1), dt.date(2013, 7, 1), "CA1B1")
    assert Member.objects.get(name="李四").org.code == "CA1B2"
    assert run("import_members", str(f)) == (0, {"created": 0, "updated": 0, "unchanged": 2})


@pytest.mark.django_db
def test_an_xlsb_join_date_shown_to_the_month_must_name_the_day(tree, tmp_path):
    rows = [MEMBER_HEADER,
            _dated(member_row(joined=Formatted(dt.date(2012, 7, 1), YM), confirmed=Formatted(dt.date(2013, 7, 1), 57))),
            _dated(member_row("李四", seq=33, joined=Formatted(dt.date(2012, 7, 15), YM)))]
    status, out = run("import_members", str(write_xlsb(tmp_path / "j.xlsb", {"党员": rows})))
    assert status == 1 and out["errors"] == [
        {"row": 2, "column": "入党日期", "value": "2012年7月", "message": NOTE.format("2012年7月")},
        {"row": 2, "column": "转正日期", "value": "2013年7月", "message": NOTE.format("2013年7月")}]
    assert Member.objects.count() == 0


def test_month_only_cells_of_each_sheet_are_found(tmp_path, monkeypatch):
    """Custom and built-in formats, whole-number (RK) and double cells; the 15th under such a format is the date it
    holds; a sheet is found by name; records cut anywhere by the reading blocks."""
    path = write_xlsb(tmp_path / "a.xlsb", {
        "党员": [["姓名", "入党日期", "转正日期"],
               ["张三", Formatted(dt.date(2012, 7, 1), YM), dt.date(2013, 7, 1)],
               ["李四", "", Formatted(dt.date(2013, 8, 1), 57), 3.25],
               ["王五", Formatted(dt.date(2012, 7, 15), YM)]],
        "西村": [["姓名", "公民身份号码", "转正日期"], ["赵六", "x", Formatted(dt.date(2014, 5, 1), "yyyy-mm")]],
    })
    whole = xlsb.no_day_cells(path, "党员")
    assert whole == {2: [1], 3: [2], 4: [1]}
    for block in (1, 3, 7, 64):
        monkeypatch.setattr(xlsb, "_BLOCK", block)
        assert xlsb.no_day_cells(path, "党员") == whole
        assert xlsb.no_day_cells(path, "西村") == {2: [2]}
    monkeypatch.undo()
    sheets = {name: dict(rows) for name, rows in read_sheets(path)}
    assert [type(c).__name__ for c in sheets["党员"][2][1:3]] == ["MonthDate", "date"]
    assert [type(c).__name__ for c in sheets["党员"][3][2:]] == ["MonthDate", "float"]
    assert type(sheets["党员"][4][1]) is dt.date
    assert str(sheets["西村"][2][2]) == "2014-05-01" and type(sheets["西村"][2][2]).__name__ == "MonthDate"


def test_a_workbook_without_a_month_only_format_is_not_scanned(tmp_path, monkeypatch):
    path = write_xlsb(tmp_path / "m.xlsb", {"党员": [MEMBER_HEADER, _dated(member_row())]})
    monkeypatch.setattr(xlsb, "_sheet_part", lambda *a: pytest.fail("the sheet was read"))
    assert xlsb.no_day_cells(path) == {}
    monkeypatch.undo()
    assert [type(c) for c in dict(read_table(path))[2] if isinstance(c, dt.date)] == [dt.date] * 3


def test_only_the_cell_formats_count_not_the_cell_styles_before_them(tmp_path):
    """Excel writes the named cell styles' formats (BrtBeginCellStyleXFs) before the cells' (BrtBeginCellXFs); a
    cell's style index counts the latter only."""
    def xf(fmt):
        return record(0x2F, struct.pack("<HHHHHBBHH", 0, fmt, 0, 0, 0, 0, 0, 0, 0))

    styles = b"".join([
        record(0x116), record(0x267, struct.pack("<I", 1)), record(0x2C, struct.pack("<H", 164) + wide(YM)),
        record(0x268), record(0x272, struct.pack("<I", 2)), xf(164), xf(164), record(0x273),
        record(0x269, struct.pack("<I", 3)), xf(0), xf(14), xf(164), record(0x26A), record(0x117)])
    path = tmp_path / "s.xlsb"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/styles.bin", styles)
    with zipfile.ZipFile(path) as z:
        assert xlsb._no_day_styles(z) == {2}


def test_a_cut_off_part_is_an_error_and_the_dates_stay_dates(tmp_path, monkeypatch, caplog):
    path = write_xlsb(tmp_path / "a.xlsb", {"党员": [["入党日期"], [Formatted(dt.date(2012, 7, 1), YM)]]})
    with pytest.raises(xlsb.XlsbError):
        list(xlsb.records(io.BytesIO(record(0x05, bytes(16))[:-3])))
    monkeypatch.setattr(xlsb, "no_day_cells", lambda *a: (_ for _ in ()).throw(xlsb.XlsbError("cut")))
    assert type(dict(read_table(path))[2][0]) is dt.date
    assert "could not read the number formats of a.xlsb" in caplog.text
