"""A small .xlsb (Excel Binary Workbook, MS-XLSB) writer for the tests: no library writes the format, and Excel
saves rosters in it when asked to. The parts and records are those Excel writes, fewer of them: the workbook's sheet
list (with hidden sheets), the styles' number formats and cell formats, shared strings, and per sheet its dimension,
row headers and cells (text as shared strings, whole numbers and dates as RK numbers as Excel stores them (dates as the upper half of a double), other
numbers as doubles)."""

from __future__ import annotations

import datetime as dt
import struct
import zipfile
from collections.abc import Iterable, Sequence

from .helpers import Formatted

_EPOCH = dt.date(1899, 12, 30)
_DATE_FORMAT = 164  # the first custom number format id
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>'
)
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def record(kind: int, body: bytes = b"") -> bytes:
    """One BIFF12 record: its type (7 bits a byte, two bytes at most) and size (7 bits a byte), then the body."""
    head = bytearray([kind] if kind < 0x80 else [(kind & 0x7F) | 0x80, kind >> 7])
    n = len(body)
    while True:
        b, n = n & 0x7F, n >> 7
        head.append(b | (0x80 if n else 0))
        if not n:
            return bytes(head) + body


def wide(text: str) -> bytes:
    data = text.encode("utf-16-le")
    return struct.pack("<I", len(data) // 2) + data


def _rels(targets: Iterable[tuple[str, str]]) -> str:
    items = "".join(f'<Relationship Id="rId{i}" Type="{_REL}/{kind}" Target="{target}"/>'
                    for i, (kind, target) in enumerate(targets, start=1))
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG}">{items}</Relationships>'


class _Styles:
    """The cell formats: 0 General, 1 yyyy-mm-dd, then one per number format a Formatted cell asks for."""

    def __init__(self):
        self.custom: dict[str, int] = {"yyyy\\-mm\\-dd": _DATE_FORMAT}
        self.xfs: list[int] = [0, _DATE_FORMAT]  # each cell format's number format id

    def of(self, num_format: str | int) -> int:
        fmt = num_format if isinstance(num_format, int) else self.custom.setdefault(
            num_format, _DATE_FORMAT + len(self.custom))
        if fmt not in self.xfs:
            self.xfs.append(fmt)
        return self.xfs.index(fmt)

    def part(self) -> bytes:
        out = [record(0x116), record(0x267, struct.pack("<I", len(self.custom)))]
        out += [record(0x2C, struct.pack("<H", i) + wide(code)) for code, i in self.custom.items()]
        out += [record(0x268), record(0x269, struct.pack("<I", len(self.xfs)))]
        # BrtXF: parent style, number format, font, fill, border, rotation, indent, flags
        out += [record(0x2F, struct.pack("<HHHHHBBHH", 0, fmt, 0, 0, 0, 0, 0, 0x1010, 0)) for fmt in self.xfs]
        out += [record(0x26A), record(0x117)]
        return b"".join(out)


def _rk_date(day: dt.date) -> bytes:
    """A date's serial number as Excel stores it: an RK of the double's upper 32 bits (the lower ones are 0)."""
    return struct.pack("<d", float((day - _EPOCH).days))[4:]


def _cell(col: int, style: int) -> bytes:
    return struct.pack("<I", col) + struct.pack("<I", style & 0xFFFFFF)


def _sheet(rows: Sequence[Sequence], styles: _Styles, strings: dict[str, int]) -> bytes:
    width = max((len(r) for r in rows), default=1)
    out = [record(0x81), record(0x94, struct.pack("<IIII", 0, max(len(rows) - 1, 0), 0, max(width - 1, 0))),
           record(0x91)]
    for r, row in enumerate(rows):
        out.append(record(0x00, struct.pack("<IIH", r, 0, 300) + bytes(3) + struct.pack("<III", 1, 0, width - 1)))
        for c, v in enumerate(row):
            if isinstance(v, Formatted):
                out.append(record(0x02, _cell(c, styles.of(v.num_format)) + _rk_date(v.value)))
            elif isinstance(v, dt.date):
                out.append(record(0x02, _cell(c, 1) + _rk_date(v)))
            elif isinstance(v, bool) or v is None or v == "":
                continue
            elif isinstance(v, int) and -(1 << 29) <= v < (1 << 29):
                out.append(record(0x02, _cell(c, 0) + struct.pack("<i", (v << 2) | 2)))
            elif isinstance(v, (int, float)):
                out.append(record(0x05, _cell(c, 0) + struct.pack("<d", float(v))))
            else:
                index = strings.setdefault(str(v), len(strings))
                out.append(record(0x07, _cell(c, 0) + struct.pack("<I", index)))
    out += [record(0x92), record(0x82)]
    return b"".join(out)


def write_xlsb(path, sheets: dict[str, Sequence[Sequence]], *, hidden: Iterable[str] = ()):
    """`sheets`: {name: rows} in order (each row a list of str, number, date or Formatted cells); the sheets named in
    `hidden` are hidden, as a template's lists are."""
    styles, strings = _Styles(), {}
    parts = {f"xl/worksheets/sheet{i}.bin": _sheet(rows, styles, strings)
             for i, rows in enumerate(sheets.values(), start=1)}
    hidden = set(hidden)
    book = [record(0x83), record(0x99, bytes(12)), record(0x8F)]
    book += [record(0x9C, struct.pack("<II", 1 if name in hidden else 0, i) + wide(f"rId{i}") + wide(name))
             for i, name in enumerate(sheets, start=1)]
    book += [record(0x90), record(0x84)]
    sst = [record(0x9F, struct.pack("<II", len(strings), len(strings)))]
    sst += [record(0x13, b"\x00" + wide(s)) for s in strings]
    sst.append(record(0xA0))
    n = len(sheets)
    overrides = "".join(f'<Override PartName="/{p}" ContentType="application/vnd.ms-excel.worksheet"/>' for p in parts)
    overrides += ('<Override PartName="/xl/styles.bin" ContentType="application/vnd.ms-excel.styles"/>'
                  '<Override PartName="/xl/sharedStrings.bin" ContentType="application/vnd.ms-excel.sharedStrings"/>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES.format(overrides=overrides))
        z.writestr("_rels/.rels", _rels([("officeDocument", "xl/workbook.bin")]))
        z.writestr("xl/_rels/workbook.bin.rels", _rels(
            [("worksheet", f"worksheets/sheet{i}.bin") for i in range(1, n + 1)]
            + [("styles", "styles.bin"), ("sharedStrings", "sharedStrings.bin")]))
        z.writestr("xl/workbook.bin", b"".join(book))
        z.writestr("xl/styles.bin", styles.part())
        z.writestr("xl/sharedStrings.bin", b"".join(sst))
        for name, data in parts.items():
            z.writestr(name, data)
    return path
