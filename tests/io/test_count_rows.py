"""readers.count_rows for CSV: counted in the bytes when no quote can hide a line break, and always the number of
records the import will read (the header excepted)."""

import pytest

from dangjian.io import readers

HEADER = "姓名,公民身份号码,所在党组织编码"


def records(path) -> int:
    return max(sum(1 for _ in readers.read_table(path)) - 1, 0)


@pytest.mark.parametrize("text,encoding,newline", [
    (f"{HEADER}\n张三,1,A\n李四,2,B\n", "utf-8", "\n"),
    (f"{HEADER}\n张三,1,A\n李四,2,B", "utf-8", "\n"),  # no line break after the last row
    (f"{HEADER}\n张三,1,A\n\n李四,2,B\n", "utf-8-sig", "\r\n"),  # a blank line is a record too
    (f"{HEADER}\n张三,1,A\n李四,2,B\n", "gb18030", "\r"),  # an old Mac file
    (f"{HEADER}\n\u4dae,1,A\n", "gb18030", "\r\n"),  # a four-byte GB18030 character
    (f"{HEADER}\n\"张\n三\",1,A\n李四,2,B\n", "utf-8", "\n"),  # a quoted cell holding a line break
    (f"{HEADER}\n张三,1,A\n李四,2,B\n", "utf-16", "\r\n"),  # Excel's “Unicode text”
    ("", "utf-8", "\n"),
])
def test_the_count_is_the_records_the_import_reads(tmp_path, text, encoding, newline):
    path = tmp_path / "r.csv"
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    assert readers.count_rows(path) == records(path)


def test_quote_free_files_are_counted_without_reading_them_as_csv(tmp_path, monkeypatch):
    path = tmp_path / "r.csv"
    path.write_text(f"{HEADER}\n" + "张三,1,A\n" * 1000, encoding="utf-8")
    monkeypatch.setattr(readers, "read_table", lambda *a: pytest.fail("read as CSV"))
    assert readers.count_rows(path) == 1000


def test_a_workbook_of_several_sheets_counts_the_rows_of_all(tmp_path):
    from tests.io.test_workbook_sheets import workbook

    path = workbook(tmp_path / "w.xlsx", {"东村": [["姓名"], ["甲"], ["乙"]], "西村": [["姓名"], ["丙"]],
                                          "旧": [["姓名"], ["丁"]]}, hidden={"旧"})
    assert readers.count_rows(path) == 3


def test_a_workbook_of_several_sheets_is_counted_from_their_declared_ranges(tmp_path, monkeypatch):
    """Each visible sheet's <dimension> is read, not its rows: a large workbook of one sheet per village (streamed by
    the import) showed progress against its first sheet only before."""
    from tests.io.test_workbook_sheets import workbook

    sheets = {"东村": [["姓名"]] + [["甲"]] * 40, "西村": [["姓名"]] + [["丙"]] * 25, "旧": [["姓名"], ["丁"]]}
    path = workbook(tmp_path / "w.xlsx", sheets, hidden={"旧"})
    monkeypatch.setattr(readers, "read_sheets", lambda *a: pytest.fail("read the rows"))
    assert readers.count_rows(path) == 65
    monkeypatch.setattr(readers, "STREAM_XLSX_ABOVE", 0)
    assert readers.count_rows(path) == 65
