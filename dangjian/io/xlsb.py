"""The number formats of an .xlsb (Excel Binary Workbook), which calamine does not give: which cells show a date
without its day, as a typed 2012年7月 does (`readers._month_dates` makes them MonthDates).

The parts are sequences of BIFF12 records (MS-XLSB 2.1.4): a type of one or two bytes and a size of one to four, 7
bits a byte, then the body. styles.bin holds the number formats (BrtFmt) and the cell formats (BrtXF between
BrtBeginCellXFs and BrtEndCellXFs; each names its number format); a sheet's cells (after their row's BrtRowHdr) begin
with their column and their cell format. The sheet is read only when some cell format is a date without a day, in
blocks (bounded memory)."""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterator
from xml.etree.ElementTree import fromstring

from .xlsx_stream import NO_DAY, PKG_REL_NS, format_id_kind

_ROW, _CELL_RK, _CELL_REAL, _FORMULA_NUM, _END_SHEET_DATA = 0x00, 0x02, 0x05, 0x09, 0x92
_FMT, _XF, _BEGIN_CELL_XFS, _END_CELL_XFS = 0x2C, 0x2F, 0x269, 0x26A
_SHEET = 0x9C  # BrtBundleSh: a sheet of the workbook
_NUMBERS = {_CELL_RK, _CELL_REAL, _FORMULA_NUM}  # the cells that can hold a date
_BLOCK = 1 << 20


class XlsbError(ValueError):
    pass


def records(f) -> Iterator[tuple[int, bytes]]:
    """(type, body) of each record of the part open as `f`, read in blocks."""
    data, at = b"", 0
    while True:
        while len(data) - at < 6:  # a record's header is at most 6 bytes
            more = f.read(_BLOCK)
            if not more:
                break
            data, at = data[at:] + more, 0
        if at >= len(data):
            return
        try:
            kind = data[at]
            at += 1
            if kind & 0x80:
                kind = (kind & 0x7F) | ((data[at] & 0x7F) << 7)
                at += 1
            size = shift = 0
            for _ in range(4):
                b = data[at]
                at += 1
                size |= (b & 0x7F) << shift
                shift += 7
                if not b & 0x80:
                    break
        except IndexError:
            raise XlsbError("record header cut short") from None
        while len(data) - at < size:
            more = f.read(max(_BLOCK, size))
            if not more:
                raise XlsbError("record cut short")
            data = data[at:] + more
            at = 0
        yield kind, data[at:at + size]
        at += size


def _wide(body: bytes, at: int) -> tuple[str, int]:
    """An XLWideString at `at`: (the text, where it ends)."""
    (n,) = struct.unpack_from("<I", body, at)
    end = at + 4 + 2 * n
    return body[at + 4:end].decode("utf-16-le"), end


def _no_day_styles(z: zipfile.ZipFile) -> set[int]:
    """The indexes of the cell formats that show a date without its day."""
    try:
        f = z.open("xl/styles.bin")
    except KeyError:
        return set()
    custom: dict[int, str] = {}  # the workbook's number format codes by id
    out: set[int] = set()
    with f:
        index = None  # inside BrtBeginCellXFs: the next cell format's index
        for kind, body in records(f):
            if kind == _FMT:
                (fmt,) = struct.unpack_from("<H", body)
                custom[fmt] = _wide(body, 2)[0]
            elif kind == _BEGIN_CELL_XFS:
                index = 0
            elif kind == _XF and index is not None:
                (fmt,) = struct.unpack_from("<H", body, 2)
                if format_id_kind(fmt, custom) == NO_DAY:
                    out.add(index)
                index += 1
            elif kind == _END_CELL_XFS:
                break
    return out


def _sheet_part(z: zipfile.ZipFile, sheet_name: str | None) -> str:
    """The zip path of worksheet `sheet_name` (None: the first sheet, as calamine's index 0)."""
    rels = {r.get("Id"): r.get("Target") for r in fromstring(z.read("xl/_rels/workbook.bin.rels"))
            if r.tag == PKG_REL_NS + "Relationship"}
    first = None
    with z.open("xl/workbook.bin") as f:
        for kind, body in records(f):
            if kind != _SHEET:
                continue
            (n,) = struct.unpack_from("<I", body, 8)
            if n == 0xFFFFFFFF:  # a sheet without a part
                continue
            rel_id, end = _wide(body, 8)
            name, _ = _wide(body, end)
            target = rels[rel_id]
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            if sheet_name is None or name == sheet_name:
                return part
            first = first or part
    if first is None:
        raise XlsbError("no worksheet")
    return first


def no_day_cells(path, sheet_name: str | None = None) -> dict[int, list[int]]:
    """{row number: [column index from A]} of the number cells of worksheet `sheet_name` (None: the first) whose
    format shows a date without a day; {} at once when no cell format of the workbook is such a date."""
    out: dict[int, list[int]] = {}
    with zipfile.ZipFile(path) as z:
        styles = _no_day_styles(z)
        if not styles:
            return out
        with z.open(_sheet_part(z, sheet_name)) as f:
            row = 0
            for kind, body in records(f):
                if kind in _NUMBERS:
                    col, style = struct.unpack_from("<II", body)
                    if style & 0xFFFFFF in styles:
                        out.setdefault(row + 1, []).append(col)
                elif kind == _ROW:
                    (row,) = struct.unpack_from("<I", body)
                elif kind == _END_SHEET_DATA:
                    break
    return out
