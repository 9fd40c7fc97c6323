"""The streamed .xlsx reader (used above readers.STREAM_XLSX_ABOVE) gives the cells calamine gives, so an
import reads the same from a large file as from a small one, in bounded memory."""

import datetime as dt
import tracemalloc
import zipfile

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from dangjian.io import readers
from dangjian.io.members_import import import_members
from dangjian.io.readers import ReadError, read_table
from dangjian.io.xlsx_stream import XlsxError, declared_rows, is_date_format, rows, sheet_bytes
from tests.io.helpers import member_row, write_xlsx


def _calamine(path):
    wb = CalamineWorkbook.from_path(str(path))
    visible = [i for i, m in enumerate(wb.sheets_metadata) if str(m.visible).endswith("Visible")]
    return list(enumerate(wb.get_sheet_by_index(visible[0]).iter_rows(), start=1))


def _trimmed(table):
    out = []
    for number, cells in table:
        cells = list(cells)
        while cells and cells[-1] == "":
            cells.pop()
        out.append((number, cells))
    while out and not out[-1][1]:
        out.pop()
    return out


def _workbook(path, options=None, hidden_first=False):
    wb = xlsxwriter.Workbook(str(path), options or {})
    if hidden_first:
        wb.add_worksheet("说明").write(0, 0, "不是名册")
        wb.worksheets()[0].hide()
    ws = wb.add_worksheet("党员")
    if hidden_first:
        ws.activate()
    iso = wb.add_format({"num_format": "yyyy-mm-dd"})
    cn = wb.add_format({"num_format": 'yyyy"年"m"月"d"日"'})
    builtin = wb.add_format({"num_format": 14})
    clock = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    money = wb.add_format({"num_format": "#,##0.00"})
    bold = wb.add_format({"bold": True})
    ws.write_row(0, 0, ["姓名", "公民身份号码", "入党日期", "转正日期", "金额", "是否", "备注"])
    ws.write_string(1, 0, "张三")
    ws.write_string(1, 1, "11010119900307001X")
    ws.write_datetime(1, 2, dt.datetime(2012, 7, 1), iso)
    ws.write_datetime(1, 3, dt.datetime(2013, 7, 1), cn)
    ws.write_number(1, 4, 1200.5, money)
    ws.write_boolean(1, 5, True)
    ws.write_rich_string(1, 6, "富", bold, "文本")
    # row 3 left empty; row 4 starts in column C and has a gap
    ws.write_datetime(3, 2, dt.datetime(2001, 2, 3), builtin)
    ws.write_number(3, 4, 13800001234)
    ws.write_formula(3, 5, "=1+1", None, 2)
    ws.write_datetime(3, 6, dt.datetime(2020, 1, 5, 9, 30), clock)
    ws.write_string(4, 0, "李四 ")
    ws.write_number(4, 1, 20200105)
    wb.close()
    return path


@pytest.mark.parametrize("options", [{}, {"constant_memory": True}, {"date_1904": True}],
                         ids=["shared strings", "inline strings", "1904 dates"])
def test_the_cells_are_calamines(tmp_path, options):
    path = _workbook(tmp_path / "a.xlsx", options)
    streamed = _trimmed(rows(path))
    assert streamed == _trimmed(_calamine(path))
    assert streamed[1][1][:4] == ["张三", "11010119900307001X", dt.date(2012, 7, 1), dt.date(2013, 7, 1)]
    assert streamed[1][1][6] == "富文本" and streamed[2] == (3, [])
    assert streamed[3][1][2:] == [dt.date(2001, 2, 3), "", 13800001234.0, 2.0, dt.datetime(2020, 1, 5, 9, 30)]


_TO_STRICT = {
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main": "http://purl.oclc.org/ooxml/spreadsheetml/main",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships":
        "http://purl.oclc.org/ooxml/officeDocument/relationships",
}


def _as_strict(path, out):
    """The same workbook in the Strict dialect (Excel's "Strict Open XML 电子表格"): every part's
    spreadsheet and relationship namespaces renamed, as Excel writes them."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith((".xml", ".rels")):
                text = data.decode()
                for transitional, strict in _TO_STRICT.items():
                    text = text.replace(transitional, strict)
                data = text.encode()
            dst.writestr(info, data)
    return out


@pytest.mark.parametrize("options", [{}, {"constant_memory": True}, {"date_1904": True}],
                         ids=["shared strings", "inline strings", "1904 dates"])
def test_a_strict_workbook_reads_as_its_transitional_twin(tmp_path, options):
    path = _workbook(tmp_path / "a.xlsx", options, hidden_first=True)
    strict = _as_strict(path, tmp_path / "s.xlsx")
    with zipfile.ZipFile(strict) as z:
        assert b"purl.oclc.org" in z.read("xl/workbook.xml") and b"openxmlformats.org/spreadsheetml" not in z.read(
            "xl/worksheets/sheet2.xml")
    assert _trimmed(rows(strict)) == _trimmed(rows(path)) == _trimmed(_calamine(strict))
    assert sheet_bytes(strict) > 0


def test_a_workbook_of_another_namespace_is_refused(tmp_path):
    path = _workbook(tmp_path / "a.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp_path / "x.xlsx", "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, data.replace(b"schemas.openxmlformats.org/spreadsheetml/2006/main", b"example.com/x"))
    with pytest.raises(XlsxError, match="namespace"):
        list(rows(tmp_path / "x.xlsx"))


def test_the_first_visible_sheet_is_read(tmp_path):
    path = _workbook(tmp_path / "h.xlsx", hidden_first=True)
    assert _trimmed(rows(path)) == _trimmed(_calamine(path))
    assert next(rows(path))[1][0] == "姓名"
    with zipfile.ZipFile(path) as z:  # the size that decides between the readers is that sheet's
        assert sheet_bytes(path) == z.getinfo("xl/worksheets/sheet2.xml").file_size


def test_the_projects_own_template_and_export_read_alike(tmp_path, cast):
    from django.core.management import call_command

    from dangjian.io.template import build_template

    (tmp_path / "t.xlsx").write_bytes(build_template("members"))
    out = tmp_path / "e.xlsx"
    call_command("export_members", org="C", out=str(out), verbosity=0)
    for path in (tmp_path / "t.xlsx", out):
        assert _trimmed(rows(path)) == _trimmed(_calamine(path))


@pytest.mark.parametrize("code, is_date", [
    ("yyyy-mm-dd", True), ('yyyy"年"m"月"d"日"', True), ("hh:mm:ss", True), ("[$-804]yyyy/m/d", True),
    ("General", False), ("0.00", False), ("#,##0", False), ('0"天"', False), ('"d"0', False),
    ("[Red]0.00", False), ("0.00E+00", False), ("@", False),
])
def test_date_formats(code, is_date):
    assert is_date_format(code) is is_date


@pytest.mark.django_db
def test_an_import_reads_a_streamed_file_as_it_reads_a_small_one(cast, tmp_path, monkeypatch):
    rows_ = [member_row("王五", seq=701), member_row("赵六", seq=703, org="NOPE"), member_row("孙七", seq=705)]
    rows_[0][4] = dt.date(1990, 3, 7)  # a real date cell
    path = write_xlsx(tmp_path / "m.xlsx", rows_)
    whole = import_members(path, dry_run=True)
    monkeypatch.setattr(readers, "STREAM_XLSX_ABOVE", 0)
    streamed = import_members(path, dry_run=True)
    assert streamed.counts() == whole.counts() == {"created": 2, "updated": 0, "unchanged": 0}
    assert streamed.errors == whole.errors and [e["row"] for e in streamed.errors] == [3]
    strict = import_members(_as_strict(path, tmp_path / "s.xlsx"), dry_run=True)  # streamed too
    assert strict.counts() == whole.counts() and strict.errors == whole.errors


def test_a_broken_large_file_says_so_in_chinese(tmp_path, monkeypatch):
    path = tmp_path / "b.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData><row>")
    monkeypatch.setattr(readers, "STREAM_XLSX_ABOVE", -1)  # its size cannot be read (0): stream it anyway
    with pytest.raises(ReadError, match="无法读取该表格文件"):
        list(read_table(path))


def test_memory_stays_bounded(tmp_path):
    path = tmp_path / "big.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet()
    for r in range(30_000):
        ws.write_row(r, 0, [f"党员{r}", f"1101011990030{r:05d}", "汉族", "大学本科", "正式党员", "教师", "13800001234"])
    wb.close()
    with zipfile.ZipFile(path) as z:
        xml = z.getinfo("xl/worksheets/sheet1.xml").file_size
    tracemalloc.start()
    try:
        n = sum(1 for _ in rows(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert n == 30_000
    assert peak < xml / 4, (peak, xml)  # a sheet read whole would hold more than its XML


def _rewrite_sheet(path, out, edit):
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, edit(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    return out


def test_the_row_count_is_read_from_the_declared_range(tmp_path):
    """The upload page counts rows to choose a direct or a background import: from <dimension>, without
    reading the rows; when the file does not declare it, or declares "A1" for a large sheet, by reading."""
    import re

    path = tmp_path / "n.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    for r in range(1200):
        ws.write_row(r, 0, [f"党员{r}", f"1101011990030{r:05d}", "汉族", "大学本科", "正式党员", "教师"])
    wb.close()
    assert declared_rows(path) == 1200 and readers.count_rows(path) == 1199
    assert declared_rows(_as_strict(path, tmp_path / "s.xlsx")) == 1200
    bare = _rewrite_sheet(path, tmp_path / "bare.xlsx", lambda xml: re.sub(rb"<dimension [^>]*/>", b"", xml))
    assert declared_rows(bare) is None and readers.count_rows(bare) == 1199
    liar = _rewrite_sheet(path, tmp_path / "liar.xlsx", lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', xml))
    assert declared_rows(liar) is None and readers.count_rows(liar) == 1199
    assert declared_rows(tmp_path / "missing.xlsx") is None


def test_merges_down_a_column_are_found_after_the_rows(tmp_path, monkeypatch):
    """<mergeCells> follows the rows: the streamed reader reads through the sheet once for it. Merges across
    columns (a title) are not filled down; a tag cut by a block's end is still found."""
    from dangjian.io import xlsx_stream

    path = tmp_path / "m.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.merge_range(0, 0, 0, 5, "党员花名册")
    ws.write_row(1, 0, ["姓名", "所在党组织编码"])
    ws.merge_range(2, 1, 4, 1, "CA1B1")
    ws.merge_range(5, 1, 6, 1, "CA1B2")
    ws.merge_range(2, 27, 3, 27, "AB列")
    for r in range(2, 7):
        ws.write(r, 0, f"党员{r}")
    wb.close()
    expected = {3: [(1, 5), (27, 4)], 6: [(1, 7)]}
    assert xlsx_stream.vertical_merges(path) == expected
    for block in (5, 9, 17, 64):
        monkeypatch.setattr(xlsx_stream, "_SCAN_BLOCK", block)
        assert xlsx_stream.vertical_merges(path) == expected
    monkeypatch.setattr(readers, "STREAM_XLSX_ABOVE", 0)
    assert [cells[:2] for _, cells in read_table(path)][2:] == [
        ["党员2", "CA1B1"], ["党员3", "CA1B1"], ["党员4", "CA1B1"], ["党员5", "CA1B2"], ["党员6", "CA1B2"]]
