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
import html
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from dangjian.core.dates import MonthDate

HTML = ".html"
SPREADSHEETML = ".xml2003"
MHTML = ".mht"  # a web archive (`mhtml`)
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
    if _MIME_HEADER.match(text.lstrip()) and ("multipart/related" in text.lower() or "text/html" in text.lower()):
        return MHTML
    start = text.lstrip().lower()  # the first 4 KB: a long comment may come before <html>
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


# A web archive starts with its MIME headers (Internet Explorer's with From:, Subject:, Date:).
_MIME_HEADER = re.compile(r"(?:mime-version|content-type|content-location|from|subject|date|x-[\w-]+)\s*:",
                          re.IGNORECASE)
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
    needles = {name.encode("utf-16-le"): name for name in names}
    pattern = re.compile(b"|".join(re.escape(needle) for needle in needles))
    try:
        return {needles[m.group(0)] for m in _scan(path, pattern)}
    except OSError:
        return set()


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
    from .readers import decodes_as

    with open(path, "rb") as f:
        head = f.read(4)
    return choose_encoding(head, declared, lambda: decodes_as(path, "utf-8"))


_LATIN = {"ascii", "cp1252", "iso8859-1", "iso8859-15"}


def choose_encoding(head: bytes, declared: str | None, utf8: Callable[[], bool]) -> str:
    """The encoding of a page starting with `head`, declaring `declared` (or None); `utf8()` says whether the whole
    page decodes as UTF-8. Its BOM, else what it declares, else UTF-8 if it decodes, else GB18030. A page declaring
    a Western charset (windows-1252, us-ascii: what browser-side exports copy from their templates) that decodes as
    UTF-8 is UTF-8: a roster's Chinese names cannot be in windows-1252."""
    from .readers import BOM_ENCODINGS

    for bom, encoding in BOM_ENCODINGS:
        if head.startswith(bom):
            return encoding
    if declared:
        try:
            name = codecs.lookup(declared).name
        except LookupError:
            name = ""
        if name in ("gbk", "gb2312", "gb18030", "cp936", "euc_cn", "hz"):
            return "gb18030"  # a superset: a page that says gb2312 often holds GBK's characters
        if name in _LATIN:
            return "utf-8" if utf8() else "gb18030"
        if name:
            return name
    return "utf-8" if utf8() else "gb18030"


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


_ROW_TAGS = {HTML: re.compile(rb"<tr[\s>/]", re.IGNORECASE), SPREADSHEETML: re.compile(rb"<(?:ss:)?Row[\s>/]")}


def _utf16(path: Path) -> bool:
    """Whether the file starts with a UTF-16 BOM: then its tags are not ASCII bytes, and `_scan` cannot find them."""
    with open(path, "rb") as f:
        return f.read(2) in (b"\xff\xfe", b"\xfe\xff")


def count_rows(path: Path, kind: str) -> int | None:
    """The rows of a markup file, counted by their tags in its bytes (reading a 50,000-row page takes seconds, too
    long for the upload's request that asks); None for UTF-16."""
    try:
        return None if _utf16(path) else sum(1 for _ in _scan(path, _ROW_TAGS[kind]))
    except OSError:
        return None


_OVERLAP = 4096  # longer than any tag looked for by `_scan`


def _scan(path: Path, pattern: re.Pattern) -> Iterator[re.Match]:
    """The matches of `pattern` (of at most _OVERLAP bytes) in the file, read block by block, each once: a block's
    last _OVERLAP bytes are searched again with the next block, and only matches starting before them are taken."""
    carry = b""
    with open(path, "rb") as f:
        while True:
            block = f.read(_BLOCK)
            window = carry + block
            limit = len(window) if not block else max(0, len(window) - _OVERLAP)
            for m in pattern.finditer(window):
                if m.start() >= limit:
                    break
                yield m
            carry = window[limit:]
            if not block:
                return


# ---- HTML tables --------------------------------------------------------------------------------------------------

_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "li", "center", "caption"}
_SKIPPED = {"script", "style", "head", "title"}
_SPACE = re.compile(r"[ \t\r\n\f\u00a0]+")
_BR = "\x1f"  # a <br> in a cell, until its text is made: a line break there, where the page's own are spaces


_SPANS = re.compile(r"""\b(colspan|rowspan)\s*=\s*["']?\s*(\d+)""", re.IGNORECASE)
# A page's pieces: comments and declarations (passed over), a script or style with its content (passed over), a tag
# (its slash, name and attributes), or text. Much faster than html.parser, which parsed every attribute of every
# cell: ~170 µs a row of 12 cells, so that counting a 200,000-row export at upload took longer than a request may.
_PIECES = re.compile(r"<!--.*?-->|<(?:script|style)\b.*?</(?:script|style)\s*>|<[!?][^>]*>"
                     r"|<(/?)([a-zA-Z][\w:-]*)([^>]*)>|([^<]+)|<", re.DOTALL | re.IGNORECASE)


def _spans(attrs: str) -> tuple[int, int]:
    """(colspan, rowspan) of a cell's attribute text, each 1 to 1000."""
    col = row = 1
    if "span" in attrs:
        for key, value in _SPANS.findall(attrs):
            n = max(1, min(int(value), 1000))
            if key.lower() == "colspan":
                col = n
            else:
                row = n
    return col, row


def _complete(text: str) -> int:
    """Where the text's last piece that may continue in the next chunk starts (an unclosed tag, comment, script or
    style), else its length."""
    cut = len(text)
    lt = text.rfind("<")
    if lt >= 0 and text.find(">", lt) < 0:
        cut = lt
    amp = text.rfind("&", max(0, cut - 32), cut)  # an entity (&nbsp;) cut by the chunk's end
    if amp >= 0 and ";" not in text[amp:cut] and "<" not in text[amp:cut]:
        cut = amp
    comment = text.rfind("<!--")
    if comment >= 0 and text.find("-->", comment) < 0:
        cut = min(cut, comment)
    lower = text.lower()
    for opening in ("<script", "<style"):  # only the last of each can still be open
        at = lower.rfind(opening)
        if at >= 0 and lower.find("</" + opening[1:], at) < 0:
            cut = min(cut, at)
    return cut


class _Tables:
    """The rows of a page as Excel lays it out on opening it: each table row a row, each heading or paragraph of
    text outside a table a row of one cell, in the page's order. A cell spanning rows (rowspan) holds its value in
    each of them; one spanning columns (colspan) leaves the cells it covers empty."""

    def __init__(self):
        self._carry = ""  # the end of the last chunk, when a tag or comment continues in the next
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

    def feed(self, text: str, final: bool = False):
        text = self._carry + text
        cut = len(text) if final else _complete(text)
        self._carry = text[cut:]
        start, end, data = self.handle_starttag, self.handle_endtag, self.handle_data
        for m in _PIECES.finditer(text, 0, cut):
            closing, tag, attrs, text_piece = m.groups()
            if text_piece is not None:
                data(html.unescape(text_piece) if "&" in text_piece else text_piece)
            elif tag:
                if closing:
                    end(tag.lower())
                else:
                    start(tag.lower(), attrs)
            elif m.group(0) == "<":
                data("<")

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
            self._colspan, self._rowspan = _spans(attrs)
            return
        if tag == "br":
            if self._cell is not None:
                self._cell.append(_BR)
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
        raw = self._cell[0] if len(self._cell) == 1 else "".join(self._cell)
        self._cell = None
        if not raw.isprintable() or "  " in raw:  # the page's line breaks and runs of spaces show as one space
            raw = _SPACE.sub(" ", raw)
        text = "\n".join(part.strip() for part in raw.split(_BR)).strip() if _BR in raw else raw.strip()
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
        self.feed("", final=True)
        self._end_row()
        self._flush_outside()


def html_rows(path: Path) -> Iterator[tuple[int, list]]:
    """(row number, cells as text) of a web page's tables, read as it is decoded (a page of 100,000 rows is not
    held whole)."""
    return text_rows(_chunks(path, _encoding(path, _declared_encoding(path, _CHARSET))))


def text_rows(chunks) -> Iterator[tuple[int, list]]:
    """`html_rows` of a page given as its decoded text, in chunks (a web archive's part: `mhtml`)."""
    parser = _Tables()
    number = 0
    for chunk in chunks:
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


_SHEET_TAGS = re.compile(rb"<(?:[\w.-]+:)?Worksheet\b([^>]*)>|<(?:[\w.-]+:)?Visible>\s*Sheet(?:Very)?Hidden\s*<")
_SHEET_NAME = re.compile(rb"""(?:^|\s)(?:[\w.-]+:)?Name\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def spreadsheetml_sheets(path: Path) -> list[tuple[str, int]]:
    """(name, index) of every visible worksheet, in the workbook's order: found in the file's bytes (parsing the
    whole file for them took as long as reading its rows); a sheet's WorksheetOptions, saying it is hidden, come
    after its rows and before the next sheet."""
    from xml.sax.saxutils import unescape

    if _utf16(path):
        return _parsed_sheets(path)
    encoding = _declared_encoding(path, _XML_ENCODING) or "utf-8"
    found: list[list] = []  # [name, index, hidden]
    for m in _scan(path, _SHEET_TAGS):
        if m.group(1) is not None:
            name = _SHEET_NAME.search(m.group(1))
            raw = (name.group(1) or name.group(2) or b"") if name else b""
            found.append([unescape(raw.decode(encoding, errors="replace"), {"&quot;": '"', "&apos;": "'"}),
                          len(found), False])
        elif found:
            found[-1][2] = True
    if not found:
        return _parsed_sheets(path)  # no sheet tag found in the bytes: let the parser say what is wrong
    return [(name, index) for name, index, hidden in found if not hidden]


def _parsed_sheets(path: Path) -> list[tuple[str, int]]:
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
    value in the rows below, ss:MergeAcross leaves the cells it covers empty. Read by end events only (a Row's cells
    are complete at its end; the sheet a Row is in is the number of sheets ended before it), each Row cleared once
    read; an Excel 2003 sheet holds at most 65,536 rows."""
    from xml.etree.ElementTree import ParseError, iterparse

    no_day = _styles(path)
    worksheet, row_tag, cell_tag, data_tag = f"{_SS}Worksheet", f"{_SS}Row", f"{_SS}Cell", f"{_SS}Data"
    index_attr, type_attr, style_attr = f"{_SS}Index", f"{_SS}Type", f"{_SS}StyleID"
    across_attr, down_attr = f"{_SS}MergeAcross", f"{_SS}MergeDown"
    sheet = 0
    number = 0
    below: dict[int, tuple[int, object]] = {}  # column -> (last row covered, value)
    try:
        for _event, el in iterparse(path, events=("end",)):
            tag = el.tag
            if tag == worksheet:
                if sheet == index:
                    break
                sheet += 1
                el.clear()
                continue
            if tag != row_tag:
                continue
            if sheet != index:
                el.clear()
                continue
            at = el.get(index_attr)
            row_number = int(at) if at and at.isdigit() else number + 1
            if below:
                for skipped in range(number + 1, row_number):  # rows skipped by ss:Index may be under a merge
                    if any(last >= skipped for last, _ in below.values()):
                        yield skipped, _with_merges([], below, skipped)
            number = row_number
            cells: list = []
            for cell in el:
                if cell.tag != cell_tag:
                    continue
                at = cell.get(index_attr)
                if at and at.isdigit():
                    col = int(at) - 1
                    cells = _with_merges(cells, below, number, upto=col)
                else:
                    col = len(cells)
                    if below:
                        cells = _with_merges(cells, below, number, upto=col)
                data = cell.find(data_tag)
                if data is None:
                    value = ""
                else:
                    kind = data.get(type_attr, "String")
                    text = data.text or "" if len(data) == 0 else "".join(data.itertext())
                    value = text if kind == "String" else _value(kind, text, cell.get(style_attr, "") in no_day)
                cells.append(value)
                across = cell.get(across_attr)
                down = cell.get(down_attr)
                if across or down:
                    across, down = int(across or 0), int(down or 0)
                    if down > 0:
                        below[col] = (number + down, value)
                    for extra in range(1, across + 1):
                        cells.append("")
                        if down > 0:
                            below[col + extra] = (number + down, "")
            yield number, _with_merges(cells, below, number) if below else cells
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
