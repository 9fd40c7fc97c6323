"""Reading a large .xlsx row by row in bounded memory.

python-calamine (what `readers` uses for spreadsheets) reads the whole worksheet into memory before the
first row comes out: a 1,000,000-row roster took ~900 MB for the sheet alone. An .xlsx is a zip of XML
parts, so this reader streams the first visible worksheet's XML with `iterparse` and keeps only the
shared-string table (what Excel stores each distinct text in once) and the cell formats. The cells come
out as calamine gives them, so the rest of the import does not know which reader ran: text as str, numbers
as float, booleans as bool, a number formatted as a date as a date (a datetime when it has a time of
day; a `MonthDate` on the 1st of a month when the format shows no day), an empty cell as "". Both
dialects of the format are read: Transitional (what Excel and WPS save by default) and Strict (Excel's
"Strict Open XML" Save As), told apart by the workbook's namespace.

`rows(path)` yields (row number as Excel shows it, cells from column A). `vertical_merges` and `no_day_cells` read
what the rows alone do not say (the merges, listed after them; the cells whose format shows no day, for calamine)
by scanning the sheet's bytes.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Iterator
from xml.etree.ElementTree import iterparse

from dangjian.core.dates import MonthDate

# The two dialects of the format (ECMA-376 Part 1): Transitional, what Excel and WPS save by default, and
# Strict ("Strict Open XML 电子表格" in Excel's Save As), the same parts under other namespace names.
NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
STRICT_NS = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"
STRICT_REL_NS = "{http://purl.oclc.org/ooxml/officeDocument/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"  # the same in both
_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)
# Built-in number formats that show a date or a time (ECMA-376 §18.8.30, plus the East Asian ids 27–36 and
# 50–58 that Excel in a Chinese locale writes for 2020年1月5日 and the like).
_DATE_FORMAT_IDS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
# Those of them that show no day: 17 mmm-yy, and yyyy"年"m"月" (27, 36, 50, 52, 57 in a Chinese locale), which Excel
# gives a typed 2012年7月 or 2012-7.
_NO_DAY_FORMAT_IDS = {17, 27, 36, 50, 52, 57}
NOT_DATE, DATE, NO_DAY = 0, 1, 2  # what a cell format shows (`format_kind`)
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # the one-letter columns: the quick "next column" test
_NOT_TOKENS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')  # quoted text, escapes, [colour]/[$-804], padding


class XlsxError(ValueError):
    """Not a readable .xlsx (the caller turns it into the Chinese message)."""


class _Tags:
    """The element names of one file's dialect."""

    def __init__(self, ns: str):
        self.ns = ns
        self.row, self.c, self.v, self.inline, self.t, self.si, self.run = (
            ns + t for t in ("row", "c", "v", "is", "t", "si", "r"))


_TAGS = {ns: _Tags(ns) for ns in (NS, STRICT_NS)}


def format_kind(code: str) -> int:
    """What a custom number format shows: DATE for a date or a time (a d, m, y, h or s outside quoted text, escapes
    and bracketed sections; "General" and "0.00" have none), NO_DAY for a date without its day (yyyy"年"m"月",
    yyyy/mm, mmm-yy: a y or an m and no d, h or s), else NOT_DATE."""
    tokens = _NOT_TOKENS.sub("", code).lower()
    if not any(ch in "dmyhs" for ch in tokens):
        return NOT_DATE
    return DATE if any(ch in "dhs" for ch in tokens) else NO_DAY


def builtin_kind(format_id: int) -> int:
    """What a built-in number format (one a file names by its id only) shows, as `format_kind`."""
    return NO_DAY if format_id in _NO_DAY_FORMAT_IDS else DATE if format_id in _DATE_FORMAT_IDS else NOT_DATE


def format_id_kind(format_id: int, custom: dict[int, str]) -> int:
    """What the number format `format_id` of a cell format shows: the workbook's own code for that id (`custom`),
    else the built-in format of that id. The rule of .xlsx, .xlsb and .xls alike."""
    return format_kind(custom[format_id]) if format_id in custom else builtin_kind(format_id)


def is_date_format(code: str) -> bool:
    """Whether a custom number format shows a date or a time."""
    return format_kind(code) != NOT_DATE


def _first_visible_sheet(z: zipfile.ZipFile) -> tuple[str, bool, _Tags]:
    """(the zip path of the first visible worksheet, whether the workbook counts dates from 1904, the
    element names of the file's dialect)."""
    sheets, date1904, tags = _sheets(z)
    visible = [part for _name, part, state in sheets if state == "visible"]
    return (visible or [sheets[0][1]])[0], date1904, tags


def visible_sheets(path) -> list[tuple[str, str]]:
    """(name, zip path) of every visible worksheet, in the workbook's order (chart sheets left out)."""
    with zipfile.ZipFile(path) as z:
        sheets, _date1904, _tags = _sheets(z)
    return [(name, part) for name, part, state in sheets if state == "visible" and "/chartsheets/" not in f"/{part}"]


def _sheets(z: zipfile.ZipFile) -> tuple[list[tuple[str, str, str]], bool, _Tags]:
    """([(name, zip path, state)] of the workbook's sheets, whether it counts dates from 1904, the element names of
    the file's dialect)."""
    wb_path = "xl/workbook.xml"
    rels_path = "xl/_rels/workbook.xml.rels"
    with z.open(wb_path) as f:
        sheets, date1904, tags = [], False, None
        for event, el in iterparse(f, events=("start", "end")):
            if tags is None:  # the root element, <workbook>, names the dialect
                ns = el.tag[:el.tag.find("}") + 1]
                tags = _TAGS.get(ns)
                if tags is None:
                    raise XlsxError(f"unknown workbook namespace {ns!r}")
                rel_ns = STRICT_REL_NS if ns == STRICT_NS else REL_NS
            if event != "end":
                continue
            if el.tag == tags.ns + "workbookPr":
                date1904 = el.get("date1904") in ("1", "true")
            elif el.tag == tags.ns + "sheet":
                sheets.append((el.get(rel_ns + "id"), el.get("state", "visible"), el.get("name", "")))
    targets = {}
    with z.open(rels_path) as f:
        for _, el in iterparse(f):
            if el.tag == PKG_REL_NS + "Relationship":
                targets[el.get("Id")] = el.get("Target")
    if not sheets:
        raise XlsxError("no worksheet")
    found = []
    for rid, state, name in sheets:
        target = targets.get(rid)
        if target is None:
            raise XlsxError("worksheet not found")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        found.append((name, part, state))
    return found, date1904, tags


def _text_of(box, tags: _Tags) -> str:
    """The text of a shared string (<si>) or an inline one (<is>): plain <t>…</t>, or rich-text runs
    <r><t>…</t></r>… (a phonetic guide, <rPh>, is not part of the text)."""
    t = box.findtext(tags.t)
    return t if t is not None else "".join(run.findtext(tags.t) or "" for run in box.findall(tags.run))


def sheet_bytes(path) -> int:
    """The uncompressed size of the worksheet `rows` would read (0 when the file cannot say: the reader
    that opens it reports why)."""
    try:
        with zipfile.ZipFile(path) as z:
            return z.getinfo(_first_visible_sheet(z)[0]).file_size
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, SyntaxError):
        return 0


_DIMENSION = re.compile(r"[A-Z]{1,3}(\d+)$")


def declared_rows(path, part: str | None = None) -> int | None:
    """The last row of the used range of the worksheet at zip path `part` (by default the first visible one) as
    the file declares it (<dimension ref="A1:L198053"/>, the sheet's first element), read without reading the
    rows: what the upload page uses to tell a large file from a small one. None when the file does not say, or
    says something implausible for its size (a writer that always puts "A1"); the caller then counts."""
    try:
        with zipfile.ZipFile(path) as z:
            sheet, _date1904, tags = _first_visible_sheet(z)
            sheet = part or sheet
            size = z.getinfo(sheet).file_size
            with z.open(sheet) as f:
                for _event, el in iterparse(f, events=("start",)):
                    if el.tag == tags.ns + "dimension":
                        m = _DIMENSION.search(el.get("ref", ""))
                        if m is None:
                            return None
                        last = int(m.group(1))
                        return last if last * 10_000 >= size else None  # no row takes 10 KB of XML
                    if el.tag == tags.ns + "sheetData":
                        return None  # the rows begin: no dimension
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, SyntaxError, XlsxError):
        return None
    return None


def _shared_strings(z: zipfile.ZipFile, tags: _Tags) -> list[str]:
    try:
        f = z.open("xl/sharedStrings.xml")
    except KeyError:
        return []
    out = []
    with f:
        for _, el in iterparse(f):
            if el.tag == tags.si:
                out.append(_text_of(el, tags))
                el.clear()
    return out


def _style_kinds(z: zipfile.ZipFile, tags: _Tags) -> list[int]:
    """For each cell format (the c element's s index): what it shows (NOT_DATE, DATE or NO_DAY)."""
    try:
        f = z.open("xl/styles.xml")
    except KeyError:
        return []
    custom: dict[int, str] = {}
    out: list[int] = []
    in_xfs = False
    ns = tags.ns
    with f:
        for event, el in iterparse(f, events=("start", "end")):
            if el.tag == ns + "cellXfs":
                in_xfs = event == "start"
            elif event == "end" and el.tag == ns + "numFmt":
                custom[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
            elif event == "end" and el.tag == ns + "xf" and in_xfs:
                out.append(format_id_kind(int(el.get("numFmtId", "0")), custom))
    return out


_REF = re.compile(rb'\sr="([A-Z]{1,3})(\d+)"')
_SCAN_BLOCK = 1 << 20


def no_day_cells(path, sheet_name: str | None = None) -> dict[int, list[int]]:
    """{row number: [column index from A]} of the cells of worksheet `sheet_name` (None: the first one) formatted as
    a date without a day, for a reader that gives no formats (calamine). {} at once when no cell format of the
    workbook is such a date; otherwise the sheet's XML is scanned as bytes, in blocks (bounded memory). A cell that
    gives no r="B7" (Excel always does) cannot be placed and is left out."""
    out: dict[int, list[int]] = {}
    with zipfile.ZipFile(path) as z:
        sheets, _date1904, tags = _sheets(z)
        styles = [str(i).encode() for i, kind in enumerate(_style_kinds(z, tags)) if kind == NO_DAY]
        if not styles:
            return out
        part = next((p for name, p, _state in sheets if name == sheet_name), sheets[0][1])
        # <c r="F7" s="5" t="n"> (or <x:c …> from writers that prefix the namespace): a cell with one of those styles
        cell = re.compile(rb'<(?:\w+:)?c\s[^>]*?\bs="(?:' + b"|".join(styles) + rb')"[^>]*>')
        with z.open(part) as f:
            tail = b""
            while True:
                block = f.read(_SCAN_BLOCK)
                data = tail + block
                if block:
                    cut = max(data.rfind(b"<"), 0)  # a tag cut by the block's end is read with the next one
                    tail, data = data[cut:], data[:cut]
                for m in cell.finditer(data):
                    if ref := _REF.search(m.group()):
                        out.setdefault(int(ref.group(2)), []).append(_column_index(ref.group(1).decode()))
                if not block:
                    return out


def _column_index(ref: str) -> int:
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        else:
            break
    return n - 1


_SHEET_DATA_END = re.compile(rb"</(?:\w+:)?sheetData>|<(?:\w+:)?sheetData\s*/>")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?\bref="([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)"')


def _rows_end(data: bytes) -> int | None:
    """Where </sheetData> (or <sheetData/>) ends in `data`, else None; found by bytes.find, as a regular expression
    tried at every "<" of the sheet took longer than unzipping it."""
    at = data.find(b"sheetData")
    while at >= 0:
        start = data.rfind(b"<", max(0, at - 40), at)
        if start >= 0 and (m := _SHEET_DATA_END.match(data, start)):
            return m.end()
        at = data.find(b"sheetData", at + 9)
    return None


def vertical_merges(path, part: str | None = None) -> dict[int, list[tuple[int, int]]]:
    """The cells merged down one column of the worksheet at zip path `part` (by default the first visible one), as
    `readers` fills them: {first row number: [(column index from A, last row number)]}. The merges are listed
    after the rows (<mergeCells> follows <sheetData>), so the sheet's XML is read through once as bytes, keeping
    only what follows the rows (bounded memory)."""
    with zipfile.ZipFile(path) as z:
        sheet = part or _first_visible_sheet(z)[0]
        with z.open(sheet) as f:
            tail, after = b"", None
            while block := f.read(_SCAN_BLOCK):
                if after is not None:
                    after.append(block)
                    continue
                data = tail + block
                if (end := _rows_end(data)) is not None:
                    after = [data[end:]]
                else:
                    tail = data[-64:]  # a closing tag cut by the block's end
    spans: dict[int, list[tuple[int, int]]] = {}
    for c0, r0, c1, r1 in _MERGE.findall(b"".join(after or ())):
        if c0 == c1 and int(r1) > int(r0):
            spans.setdefault(int(r0), []).append((_column_index(c0.decode()), int(r1)))
    return spans


def rows(path, part: str | None = None) -> Iterator[tuple[int, list]]:
    """The rows of the worksheet at zip path `part` (`visible_sheets`), by default the first visible one."""
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise XlsxError(str(e)) from None
    with z:
        try:
            sheet, date1904, tags = _first_visible_sheet(z)
            if part is not None:
                sheet = part
            strings = _shared_strings(z, tags)
            kinds = _style_kinds(z, tags)
            f = z.open(sheet)
        except KeyError as e:
            raise XlsxError(f"missing part {e}") from None
        epoch = _EPOCH_1904 if date1904 else _EPOCH_1900
        last = 0
        row_tag, cell_tag, value_tag, inline_tag = tags.row, tags.c, tags.v, tags.inline
        with f:
            for _, el in iterparse(f):
                if el.tag != row_tag:
                    continue
                r = el.get("r")
                number = int(r) if r else last + 1
                for blank in range(last + 1, number):  # rows Excel left out because they are empty
                    yield blank, []
                last = number
                cells: list = []
                for c in el:
                    if c.tag != cell_tag:
                        continue
                    ref = c.get("r")
                    n = len(cells)
                    if ref and not (n < 26 and ref[0] == LETTERS[n] and ref[1:2].isdigit()):  # not the next column
                        at = _column_index(ref)
                        if at > len(cells):
                            cells.extend([""] * (at - len(cells)))
                    kind = c.get("t", "n")
                    if kind == "inlineStr":
                        box = c.find(inline_tag)
                        value = "" if box is None else _text_of(box, tags)
                    else:
                        v = c.findtext(value_tag)
                        if v is None:
                            value = ""
                        elif kind == "s":
                            value = strings[int(v)]
                        elif kind == "n":
                            value = float(v)
                            style = int(c.get("s", "0"))
                            if style < len(kinds) and (shows := kinds[style]):
                                when = epoch + dt.timedelta(days=value)
                                # to the second, as Excel shows it (a serial carries float noise)
                                when = (when + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
                                if when.time() != dt.time():
                                    value = when
                                elif shows == NO_DAY and when.day == 1:
                                    value = MonthDate(when.year, when.month, 1)  # a typed 2012年7月, perhaps
                                else:
                                    value = when.date()
                        elif kind == "b":
                            value = v == "1"
                        elif kind == "d":
                            value = dt.datetime.fromisoformat(v)
                            value = value.date() if value.time() == dt.time() else value
                        else:  # "str" (a formula's text) and "e" (an error such as #N/A) are shown as text
                            value = v
                    cells.append(value)
                el.clear()  # what is left of a row read is an empty element (~100 bytes; ~100 MB per million rows)
                yield number, cells
