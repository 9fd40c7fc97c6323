"""Reading roster spreadsheets as people send them: .xlsx/.xls/.ods (python-calamine) and .csv in
UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or GB18030/GBK.

`read_table` yields raw rows with the spreadsheet's own row numbers (the first row is 1), so every
error message can point at the row a person sees in Excel. Cell values stay as the reader gives
them (str, float, int, date, datetime); `columns.clean_*` turns them into text or dates.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv", ".txt"}
SUPPORTED_SUFFIXES = SPREADSHEET_SUFFIXES | CSV_SUFFIXES


class ReadError(ValueError):
    """The file as a whole cannot be read (Chinese message)."""


def suffix_of(name: str) -> str:
    return Path(name).suffix.lower()


def read_table(path: str | Path, name: str | None = None) -> Iterator[tuple[int, list]]:
    """Yield (row_number, cells) for every row of the first worksheet (or of the CSV file)."""
    path = Path(path)
    suffix = suffix_of(name or path.name)
    if suffix in SPREADSHEET_SUFFIXES:
        return _read_spreadsheet(path)
    if suffix in CSV_SUFFIXES:
        return _read_csv(path)
    raise ReadError(f"不支持的文件类型“{suffix or '无扩展名'}”，请上传 .xlsx 或 .csv 文件")


def _read_spreadsheet(path: Path) -> Iterator[tuple[int, list]]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        visible = [i for i, m in enumerate(wb.sheets_metadata) if str(m.visible).endswith("Visible")]
        sheet = wb.get_sheet_by_index(visible[0] if visible else 0)
    except (CalamineError, OSError, IndexError, ValueError) as e:
        raise ReadError(f"无法读取该表格文件（{type(e).__name__}），请确认是有效的 Excel 文件") from None
    # iter_rows starts at the sheet's first row (absolute row 0), so enumerate gives Excel's numbers;
    # columns start at the first used column, which is harmless because headers are matched by name.
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        yield number, list(cells)


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312: what Excel on Chinese Windows writes as "CSV".
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise ReadError("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV 文件") from None


def _read_csv(path: Path) -> Iterator[tuple[int, list]]:
    try:
        text = _decode(path.read_bytes())
    except OSError as e:
        raise ReadError(f"无法读取文件：{e.strerror}") from None
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # A quoted cell may span lines; line_num after reading a record is its last physical line, so
        # count records instead: a roster row is one record, and that is what Excel numbers.
        yield from enumerate(reader, start=1)
    except csv.Error as e:
        raise ReadError(f"CSV 文件格式错误：{e}") from None


def count_rows(path: str | Path, name: str | None = None) -> int:
    """Rows of the file after the first (the header), to decide between a direct and a background
    import; an unreadable file counts 0 so that the direct import reports the reason."""
    try:
        return max(sum(1 for _ in read_table(path, name)) - 1, 0)
    except ReadError:
        return 0
