"""The export's own .xlsx writer: what it writes reads back the same through both readers of the import, its parts
are well-formed, and past a sheet's row limit it goes on in a further sheet that the import reads too."""

import datetime as dt
import zipfile
from xml.etree import ElementTree

import pytest
from python_calamine import CalamineWorkbook

from dangjian.io import xlsx_stream
from dangjian.io.export import HEADERS, WIDTHS
from dangjian.io.readers import read_table
from dangjian.io.xlsx_write import XlsxWriter, _letters, sheet_names

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def test_cells_read_back_as_written(tmp_path):
    rows = [["张三", "男", "汉族", "110101199003070011", dt.date(1990, 3, 7), "大学本科", "正式党员",
             dt.datetime(2012, 7, 1, 0, 0), None, "R&D <组长> \"甲\"", "  13800001234 ", "CA1B1"],
            ["李四\x01\x1f", "", "", 110101199003070031, dt.date(1900, 3, 1), "", "", "", "", "a\tb\nc", "", "X"]]
    path = XlsxWriter(tmp_path / "w.xlsx", headers=HEADERS, widths=WIDTHS).write(rows) and tmp_path / "w.xlsx"
    expected = [(1, HEADERS),
                (2, ["张三", "男", "汉族", "110101199003070011", dt.date(1990, 3, 7), "大学本科", "正式党员",
                     dt.date(2012, 7, 1), "", "R&D <组长> \"甲\"", "  13800001234 ", "CA1B1"]),
                (3, ["李四", "", "", "110101199003070031", dt.date(1900, 3, 1), "", "", "", "", "a\tb\nc", "", "X"])]
    got = [(n, [c.date() if isinstance(c, dt.datetime) else c for c in cells]) for n, cells in read_table(path)]
    assert got == expected
    streamed = [(n, [c.date() if isinstance(c, dt.datetime) else c for c in cells])
                for n, cells in xlsx_stream.rows(path)]
    assert [(n, cells + [""] * (12 - len(cells))) for n, cells in streamed] == expected


def test_the_parts_are_well_formed_and_declared(tmp_path):
    path = tmp_path / "w.xlsx"
    XlsxWriter(path, headers=HEADERS, widths=WIDTHS).write([["张三"] * 12])
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            ElementTree.fromstring(z.read(name))  # every part parses
        types = z.read("[Content_Types].xml").decode()
        assert "/xl/worksheets/sheet1.xml" in types and "/xl/styles.xml" in types
        sheet = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))
    pane = sheet.find(f"{NS}sheetViews/{NS}sheetView/{NS}pane")
    assert pane.get("state") == "frozen" and pane.get("ySplit") == "1"  # the header stays in view
    assert [c.get("width") for c in sheet.find(f"{NS}cols")] == [str(w) for w in WIDTHS]
    header = sheet.find(f"{NS}sheetData/{NS}row")
    assert {c.get("s") for c in header} == {"2"}  # the header's style


def test_a_long_export_goes_on_in_further_sheets_that_the_import_reads(tree, tmp_path):
    from dangjian.io.members_import import import_members
    from tests.io.helpers import MEMBER_HEADER, member_row

    rows = [member_row(f"党员{i}", seq=11 + 2 * i) for i in range(7)]
    path = tmp_path / "long.xlsx"
    assert XlsxWriter(path, headers=MEMBER_HEADER, widths=WIDTHS, rows_per_sheet=3).write(rows) == 7
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["党员名册", "党员名册（2）", "党员名册（3）"]
    assert [len(book.get_sheet_by_name(n).to_python()) for n in book.sheet_names] == [4, 4, 2]
    result = import_members(path, dry_run=True)
    assert result.ok and result.counts()["created"] == 7


def test_an_empty_export_is_a_sheet_with_its_header(tmp_path):
    path = tmp_path / "e.xlsx"
    assert XlsxWriter(path, headers=HEADERS, widths=WIDTHS).write([]) == 0
    assert [cells for _, cells in read_table(path)] == [HEADERS]


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (52, "BA"), (701, "ZZ"),
                                                (702, "AAA")])
def test_column_letters(index, letters):
    assert _letters(index) == letters


def test_sheet_names_are_valid_and_distinct():
    names = sheet_names(["流动党员台账" * 6] * 12)
    assert all(len(n) <= 31 for n in names) and names[11].endswith("（12）") and len(set(names)) == 12
    assert sheet_names(["东村党支部", "东村党支部", "a/b:c*d?[e]\\f", "'", "Sheet"]) == [
        "东村党支部", "东村党支部（2）", "a_b_c_d__e__f", "Sheet", "Sheet（2）"]


@pytest.mark.skipif(not __import__("shutil").which("soffice"), reason="LibreOffice is not installed")
def test_libreoffice_opens_it_as_written(tmp_path):
    """A second, independent reader of the format (run where LibreOffice is installed: apt install
    libreoffice-calc-nogui): every sheet converts to the cells written, dates shown as yyyy-mm-dd."""
    import subprocess

    rows = [["张三", "男", "汉族", "110101199003070011", dt.date(1990, 3, 7), "大学本科", "正式党员",
             dt.date(2012, 7, 1), None, "R&D <组长>", " 13800001234", "CA1B1"],
            ["李四", "女", "回族", "110101199003070020", dt.date(1990, 3, 7), "高中", "预备党员",
             dt.date(2025, 7, 1), None, "", "", "CA1B2"]]
    XlsxWriter(tmp_path / "t.xlsx", headers=HEADERS, widths=WIDTHS).write(
        rows, group_of=lambda r: r[-1], title_of={"CA1B1": "东村党支部", "CA1B2": "西村党支部"}.get)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                    "--outdir", str(tmp_path), str(tmp_path / "t.xlsx")], check=True, capture_output=True, timeout=120)
    header = ",".join(HEADERS)
    assert (tmp_path / "t-东村党支部.csv").read_text().splitlines() == [
        header, "张三,男,汉族,110101199003070011,1990-03-07,大学本科,正式党员,2012-07-01,,R&D <组长>, 13800001234,CA1B1"]
    assert (tmp_path / "t-西村党支部.csv").read_text().splitlines() == [
        header, "李四,女,回族,110101199003070020,1990-03-07,高中,预备党员,2025-07-01,,,,CA1B2"]


def test_tables_with_numbers_and_styled_text(tmp_path):
    from dangjian.io.xlsx_write import ERROR, WRAP, Number, Styled, Workbook

    path = tmp_path / "r.xlsx"
    with Workbook(path) as wb:
        assert wb.table("错误清单", ["行号", "错误说明"], [8, 60], [[Number(3), Styled("入党日期不能晚于今天", ERROR)]]) == 1
        wb.table("逐行结果", ["行号", "结果", "说明"], [8, 8, 70], [[Number(2), "变更", Styled("工作岗位：村民 → 教师", WRAP)]])
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["错误清单", "逐行结果"]
    assert book.get_sheet_by_name("错误清单").to_python() == [["行号", "错误说明"], [3.0, "入党日期不能晚于今天"]]
    with zipfile.ZipFile(path) as z:
        sheet = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))
        styles = ElementTree.fromstring(z.read("xl/styles.xml"))
    cells = sheet.findall(f"{NS}sheetData/{NS}row")[1]
    assert [c.get("s") for c in cells] == [None, str(ERROR)]  # a number, then red wrapped text
    xf = styles.find(f"{NS}cellXfs")[ERROR]
    assert xf.find(f"{NS}alignment").get("wrapText") == "1" and styles.find(f"{NS}fonts")[int(xf.get("fontId"))].find(
        f"{NS}color").get("rgb") == "FFB02A37"
