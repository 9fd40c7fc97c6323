"""Rosters that are not what their names say: the “.xls” that web systems and report tools write is often a web page
(an HTML table Excel opens without complaint) or Excel 2003's XML spreadsheet (SpreadsheetML); an .xlsx renamed
.xls, an .xls renamed .xlsx and a CSV named .xls come too. `kind_of` reads a file's first bytes and says which reader
it needs; `html_rows` and `spreadsheetml_sheets` read the two markup kinds.

The rows come as `readers.read_table` gives them: (row number, cells), numbered as Excel shows the file when it
opens it, with cells merged down a column holding the merge's value (rowspan, ss:MergeDown) as `readers._filled`
does for a workbook.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from dangjian.core.dates import MonthDate

HTML = ".html"
SPREADSHEETML = ".xml2003"
MARKUP_KINDS = {HTML, SPREADSHEETML}

_HEAD = 4096
_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file: .xls, .doc, an encrypted .xlsx
_ZIP = b"PK\x03\x04"
_BLOCK = 1 << 20


class NotATable(ValueError):
    """The file is of a kind no roster can be (its Chinese message says which, and what to do)."""


PASSWORD_MESSAGE = ("该文件设有打开密码，无法读取：请在 Excel 或 WPS 中打开它，去掉密码（Excel：文件 → 信息 → 保护工作簿 → "
             "用密码进行加密，清空密码；WPS：文件 → 文档加密 → 密码加密）后保存，再上传")


def kind_of(path: Path, suffix: str) -> str:
    """The suffix whose reader `path` needs, from its content: `suffix` (the name's) when the content is of that
    kind, or cannot be told; else the kind it is (".xlsx", ".xlsb", ".ods", ".xls", ".csv", HTML, SPREADSHEETML).
    A Word document, a PDF, an image or a password-protected workbook raises NotATable with what it is."""
    try:
        with open(path, "rb") as f:
            head = f.read(_HEAD)
    except OSError:
        return suffix
    if head.startswith(_ZIP):
        return _zip_kind(path, suffix)
    if head.startswith(_CFB):
        streams = _streams(path, ("EncryptedPackage", "WordDocument", "PowerPoint Document"))
        if "EncryptedPackage" in streams:
            raise NotATable(PASSWORD_MESSAGE)
        if "WordDocument" in streams:
            raise NotATable(_NOT_TABLE.format(what="Word 文档"))
        if "PowerPoint Document" in streams:
            raise NotATable(_NOT_TABLE.format(what="演示文稿"))
        return ".xls"
    for magic, what in _OTHER_FILES:
        if head.startswith(magic):
            raise NotATable(_NOT_TABLE.format(what=what))
    text = _head_text(head)
    if text is None:
        return suffix  # binary of a kind not known here: the reader of its name says it cannot read it
    start = text.lstrip()[:1000].lower()
    if start.startswith("<"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in start and "<workbook" in start:
            return SPREADSHEETML
        if re.search(r"<(?:!doctype\s+html|html|table|meta|head|body)\b", start):
            return HTML
        if "<workbook" in start or "<?mso-application" in start:
            return SPREADSHEETML
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    if suffix in (".xls", ".xlsx", ".xlsm", ".xlsb", ".ods") and ("," in first_line or "\t" in first_line):
        return ".csv"  # text with commas or tabs: what a system wrote as “.xls”
    return suffix


_NOT_TABLE = "该文件是{what}，不是表格，无法导入：请把名册放进 Excel 或 WPS 表格，另存为 .xlsx 后再上传"
_OTHER_FILES = ((b"%PDF", "PDF 文件"), (b"\x89PNG", "图片"), (b"\xff\xd8\xff", "图片"), (b"GIF8", "图片"),
                (b"{\\rtf", "RTF 文档"), (b"Rar!", "RAR 压缩包（请改用 .zip 压缩）"),
                (b"7z\xbc\xaf\x27\x1c", "7z 压缩包（请改用 .zip 压缩）"))


def _zip_kind(path: Path, suffix: str) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            mimetype = z.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        return suffix
    if "xl/workbook.xml" in names:
        return suffix if suffix in (".xlsx", ".xlsm") else ".xlsx"
    if "xl/workbook.bin" in names:
        return ".xlsb"
    if b"opendocument.spreadsheet" in mimetype:
        return ".ods"
    if "word/document.xml" in names or b"opendocument.text" in mimetype:
        raise NotATable(_NOT_TABLE.format(what="Word 文档"))
    if "ppt/presentation.xml" in names:
        raise NotATable(_NOT_TABLE.format(what="演示文稿"))
    return suffix


def _streams(path: Path, names: tuple[str, ...]) -> set[str]:
    """Which of the stream `names` an OLE compound file has: their names are in its directory, in UTF-16, which can
    be anywhere in the file; read block by block. An .xlsx with an open password is such a file holding
    EncryptionInfo and EncryptedPackage (ECMA-376 part 2, “Encrypted package”)."""
    needles = {name: name.encode("utf-16-le") for name in names}
    keep = max(len(n) for n in needles.values()) - 1
    found: set[str] = set()
    tail = b""
    try:
        with open(path, "rb") as f:
            while block := f.read(_BLOCK):
                window = tail + block
                found.update(name for name, needle in needles.items() if needle in window)
                tail = block[-keep:]
    except OSError:
        pass
    return found


def _head_text(head: bytes) -> str | None:
    """The file's first bytes as text (BOM, UTF-8, GB18030), or None when they are not text."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(encoding, errors="ignore")
    if b"\x00" in head:
        return None
    for encoding in ("utf-8", "gb18030"):
        try:
            return codecs.getincrementaldecoder(encoding)().decode(head)  # a cut character at the end is fine
        except UnicodeDecodeError:
            continue
    return None


def _encoding(path: Path, declared: str | None) -> str:
    """A markup file's encoding: its BOM, else what it declares, else UTF-8 if the whole file decodes, else
    GB18030 (what Chinese Windows writes)."""
    with open(path, "rb") as f:
        head = f.read(4)
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if head.startswith(bom):
            return encoding
    if declared:
        try:
            name = codecs.lookup(declared).name
        except LookupError:
            name = ""
        if name in ("gbk", "gb2312", "gb18030", "cp936", "euc_cn", "hz"):
            return "gb18030"  # a superset: a page that says gb2312 often holds GBK's characters
        if name:
            return name
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as f:
            while block := f.read(_BLOCK):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([\w-]+)""", re.IGNORECASE)


def _declared_encoding(path: Path, pattern: re.Pattern) -> str | None:
    with open(path, "rb") as f:
        m = pattern.search(f.read(_HEAD))
    return m.group(1).decode("ascii") if m else None


def _chunks(path: Path, encoding: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    with open(path, "rb") as f:
        while block := f.read(_BLOCK):
            yield decoder.decode(block)
    yield decoder.decode(b"", final=True)


# ---- HTML tables --------------------------------------------------------------------------------------------------

_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "li", "center", "caption"}
_SKIPPED = {"script", "style", "head", "title"}
_SPACE = re.compile(r"[ \t\r\n\f\u00a0]+")


def _span(attrs, name: str) -> int:
    for key, value in attrs:
        if key == name and value:
            m = re.match(r"\s*(\d+)", value)
            if m:
                return max(1, min(int(m.group(1)), 1000))
    return 1


class _Tables(HTMLParser):
    """The rows of a page as Excel lays it out on opening it: each table row a row, each heading or paragraph of
    text outside a table a row of one cell, in the page's order. A cell spanning rows (rowspan) holds its value in
    each of them; one spanning columns (colspan) leaves the cells it covers empty."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._colspan = 1
        self._rowspan = 1
        self._below: dict[int, tuple[int, str]] = {}  # column -> (rows still covered, value)
        self._outside: list[str] = []  # text outside any table, until a block ends
        self._skip = 0
        self._stack: list[tuple] = []  # an outer table's state while a table inside one of its cells is read

    # Text outside tables
    def _flush_outside(self):
        text = _SPACE.sub(" ", "".join(self._outside)).strip()
        self._outside = []
        if text:
            self.rows.append([text])

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED:
            self._skip += 1
            return
        if tag == "table":
            if self._cell is not None:  # a table inside a cell: its rows are rows, the outer row waits
                self._stack.append((self._row, self._cell, self._colspan, self._rowspan, self._below))
                self._row = self._cell = None
                self._below = {}
            else:
                self._flush_outside()
            return
        if tag == "tr":
            self._end_row()
            self._row = []
            return
        if tag in ("td", "th"):
            if self._row is None:
                self._row = []
            self._end_cell()
            self._cell = []
            self._colspan = _span(attrs, "colspan")
            self._rowspan = _span(attrs, "rowspan")
            return
        if tag == "br":
            if self._cell is not None:
                self._cell.append("\n")
            else:
                self._flush_outside()
            return
        if tag in _BLOCKS and self._row is None:
            self._flush_outside()

    def handle_endtag(self, tag):
        if tag in _SKIPPED:
            self._skip = max(0, self._skip - 1)
            return
        if tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr":
            self._end_row()
        elif tag == "table":
            self._end_row()
            self._below = {}
            if self._stack:
                self._row, self._cell, self._colspan, self._rowspan, self._below = self._stack.pop()
        elif tag in _BLOCKS and self._row is None:
            self._flush_outside()

    def handle_data(self, data):
        if self._skip:
            return
        if self._cell is not None:
            self._cell.append(data)
        elif self._row is None:
            self._outside.append(data)

    def _covered(self):
        """Fill the row's next columns held by cells spanning down from rows above."""
        while len(self._row) in self._below:
            col = len(self._row)
            left, value = self._below[col]
            self._row.append(value)
            if left <= 1:
                del self._below[col]
            else:
                self._below[col] = (left - 1, value)

    def _end_cell(self):
        if self._cell is None:
            return
        text = "\n".join(_SPACE.sub(" ", part).strip() for part in "".join(self._cell).split("\n")).strip()
        self._cell = None
        self._covered()
        col = len(self._row)
        self._row.append(text)
        if self._rowspan > 1:
            self._below[col] = (self._rowspan - 1, text)
        for extra in range(1, self._colspan):
            self._row.append("")
            if self._rowspan > 1:
                self._below[col + extra] = (self._rowspan - 1, "")

    def _end_row(self):
        self._end_cell()
        if self._row is None:
            return
        # columns still covered from above at the row's end (a rowspan in the last columns)
        while self._below and max(self._below) >= len(self._row):
            if len(self._row) in self._below:
                self._covered()
            else:
                self._row.append("")
        self.rows.append(self._row)
        self._row = None

    def close(self):
        super().close()
        self._end_row()
        self._flush_outside()


def html_rows(path: Path) -> Iterator[tuple[int, list]]:
    """(row number, cells as text) of a web page's tables, read as it is decoded (a page of 100,000 rows is not
    held whole)."""
    parser = _Tables()
    number = 0
    for chunk in _chunks(path, _encoding(path, _declared_encoding(path, _CHARSET))):
        parser.feed(chunk)
        if parser.rows:
            done, parser.rows = parser.rows, []
            for cells in done:
                number += 1
                yield number, cells
    parser.close()
    for cells in parser.rows:
        number += 1
        yield number, cells


# ---- Excel 2003 XML (SpreadsheetML) -------------------------------------------------------------------------------

_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
_X = "{urn:schemas-microsoft-com:office:excel}"


def _iterparse(path: Path):
    from xml.etree.ElementTree import iterparse

    return iterparse(path, events=("start", "end"))


def spreadsheetml_sheets(path: Path) -> list[tuple[str, int]]:
    """(name, index) of every visible worksheet, in the workbook's order."""
    from xml.etree.ElementTree import ParseError

    out: list[tuple[str, int]] = []
    index = -1
    name = ""
    hidden = False
    try:
        for event, el in _iterparse(path):
            if el.tag == f"{_SS}Worksheet":
                if event == "start":
                    index += 1
                    name, hidden = el.get(f"{_SS}Name", ""), False
                else:
                    if not hidden:
                        out.append((name, index))
                    el.clear()
            elif event == "end" and el.tag == f"{_X}Visible":
                hidden = (el.text or "").strip() in ("SheetHidden", "SheetVeryHidden")
            elif event == "end" and el.tag == f"{_SS}Row":
                el.clear()
    except ParseError as e:
        raise ValueError(f"XML: {e}") from None
    return out


def _styles(path: Path) -> set[str]:
    """The ids of the styles whose number format shows a date without its day (yyyy"年"m"月")."""
    from .xlsx_stream import NO_DAY, format_kind

    no_day: set[str] = set()
    for event, el in _iterparse(path):
        if el.tag in (f"{_SS}Worksheet", f"{_SS}Styles") and (event == "start") == (el.tag == f"{_SS}Worksheet"):
            break  # the styles come before the sheets
        if event == "end" and el.tag == f"{_SS}Style":
            fmt = el.find(f"{_SS}NumberFormat")
            code = fmt.get(f"{_SS}Format", "") if fmt is not None else ""
            if code and code not in _NAMED_FORMATS and format_kind(code) == NO_DAY:
                no_day.add(el.get(f"{_SS}ID", ""))
    return no_day


_NAMED_FORMATS = {"General", "General Number", "General Date", "Long Date", "Medium Date", "Short Date", "Long Time",
                  "Medium Time", "Short Time", "Currency", "Euro Currency", "Fixed", "Standard", "Percent",
                  "Scientific", "Yes/No", "True/False", "On/Off", "@"}


def _value(data_type: str, text: str, month_only: bool):
    if data_type == "Number":
        try:
            return float(text)
        except ValueError:
            return text
    if data_type == "DateTime":
        try:
            value = dt.datetime.fromisoformat(text.strip()[:19])
        except ValueError:
            return text
        if value.time() == dt.time():
            if month_only and value.day == 1:
                return MonthDate(value.year, value.month, 1)
            return value.date()
        return value
    if data_type == "Boolean":
        return text.strip() in ("1", "true", "TRUE")
    return text


def spreadsheetml_rows(path: Path, index: int) -> Iterator[tuple[int, list]]:
    """(row number, cells) of worksheet `index`: ss:Index skips rows and columns, ss:MergeDown repeats a cell's
    value in the rows below, ss:MergeAcross leaves the cells it covers empty."""
    from xml.etree.ElementTree import ParseError

    no_day = _styles(path)
    sheet = -1
    number = 0
    below: dict[int, tuple[int, object]] = {}  # column -> (last row covered, value)
    try:
        events = _iterparse(path)
        for event, el in events:
            if el.tag == f"{_SS}Worksheet":
                if event == "start":
                    sheet += 1
                elif sheet == index:
                    break
                else:
                    el.clear()
                continue
            if sheet != index or event != "end" or el.tag != f"{_SS}Row":
                continue
            at = el.get(f"{_SS}Index")
            row_number = int(at) if at and at.isdigit() else number + 1
            for skipped in range(number + 1, row_number):  # rows skipped by ss:Index may be covered by a merge
                if any(last >= skipped for last, _ in below.values()):
                    yield skipped, _with_merges([], below, skipped)
            number = row_number
            cells: list = []
            for cell in el.iter(f"{_SS}Cell"):
                at = cell.get(f"{_SS}Index")
                col = int(at) - 1 if at and at.isdigit() else len(cells)
                cells = _with_merges(cells, below, number, upto=col)
                data = cell.find(f"{_SS}Data")
                value = ""
                if data is not None:
                    value = _value(data.get(f"{_SS}Type", "String"), "".join(data.itertext()),
                                   cell.get(f"{_SS}StyleID", "") in no_day)
                cells.append(value)
                across = int(cell.get(f"{_SS}MergeAcross", "0") or 0)
                down = int(cell.get(f"{_SS}MergeDown", "0") or 0)
                if down > 0:
                    below[col] = (number + down, value)
                for extra in range(1, across + 1):
                    cells.append("")
                    if down > 0:
                        below[col + extra] = (number + down, "")
            yield number, _with_merges(cells, below, number)
            el.clear()
    except ParseError as e:
        raise ValueError(f"XML: {e}") from None


def _with_merges(cells: list, below: dict, number: int, upto: int | None = None) -> list:
    """`cells` padded to column `upto` (None: as far as merges from above reach), covered columns holding the
    value of the merge above them."""
    for col in [c for c, (last, _) in below.items() if last < number]:
        del below[col]
    end = upto if upto is not None else max([len(cells) - 1, *below]) + 1 if below else len(cells)
    while len(cells) < end:
        col = len(cells)
        if col in below and below[col][0] >= number:
            cells.append(below[col][1])
        else:
            cells.append("")
    return cells
