"""The number formats of an .ods (LibreOffice, OpenDocument), which calamine does not give: which cells show a date
without its day, as a typed 2012年7月 does (`readers._month_dates` makes them MonthDates).

A date format is a <number:date-style> of year, month, day … parts; a cell style names one (style:data-style-name,
or its parent style's); a cell names its style, or takes its row's or its column's default. Rows and cells may
stand for several (number-rows-repeated, number-columns-repeated).
"""

from __future__ import annotations

import zipfile
from xml.etree.ElementTree import iterparse

TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
NUMBER = "{urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0}"
_DAY_OR_TIME = {NUMBER + t for t in ("day", "day-of-week", "hours", "minutes", "seconds")}
_CELLS = (TABLE + "table-cell", TABLE + "covered-table-cell")
_MAX_REPEAT = 10_000  # repeated rows beyond this are empty filler to the sheet's end


def _no_day_styles(z: zipfile.ZipFile) -> set[str]:
    """The names of the cell styles (in styles.xml and content.xml) that show a date without its day."""
    date_styles: dict[str, bool] = {}  # date style name -> shows no day
    cell_styles: dict[str, tuple[str | None, str | None]] = {}  # cell style -> (its data style, its parent)
    for part in ("styles.xml", "content.xml"):
        try:
            f = z.open(part)
        except KeyError:
            continue
        with f:
            current, parts = None, set()
            for event, el in iterparse(f, events=("start", "end")):
                tag = el.tag
                if tag == OFFICE + "body":
                    break  # the styles come before the sheets
                if tag == NUMBER + "date-style":
                    if event == "start":
                        current, parts = el.get(STYLE + "name"), set()
                    else:
                        date_styles[current] = not parts & _DAY_OR_TIME
                        current = None
                elif current is not None and event == "start" and tag.startswith(NUMBER):
                    parts.add(tag)
                elif event == "end" and tag == STYLE + "style" and el.get(STYLE + "family") == "table-cell":
                    cell_styles[el.get(STYLE + "name")] = (el.get(STYLE + "data-style-name"),
                                                            el.get(STYLE + "parent-style-name"))
    out = set()
    for name in cell_styles:
        seen, at = set(), name
        while at in cell_styles and at not in seen:  # a style without a data style takes its parent's
            seen.add(at)
            data, parent = cell_styles[at]
            if data is not None:
                if date_styles.get(data):
                    out.add(name)
                break
            at = parent
    return out


def no_day_cells(path, sheet_name: str | None = None) -> dict[int, list[int]]:
    """{row number: [column index from A]} of the date cells of sheet `sheet_name` (None: the first) whose style
    shows no day; {} at once when the file has no such style."""
    out: dict[int, list[int]] = {}
    with zipfile.ZipFile(path) as z:
        styles = _no_day_styles(z)
        if not styles:
            return out
        with z.open("content.xml") as f:
            table_depth, depth, row = None, 0, 0
            columns: list[tuple[int, str | None]] = []  # (columns up to here, their default style)
            row_default, col = None, 0
            for event, el in iterparse(f, events=("start", "end")):
                tag = el.tag
                if event == "start":
                    depth += 1
                    if tag == TABLE + "table" and table_depth is None:
                        if sheet_name is None or el.get(TABLE + "name") == sheet_name:
                            table_depth = depth
                    elif tag == TABLE + "table-row" and table_depth is not None:
                        row_default = el.get(TABLE + "default-cell-style-name")
                    continue
                depth -= 1
                if table_depth is None:
                    continue
                if tag == TABLE + "table" and depth < table_depth:
                    break
                if tag == TABLE + "table-column":
                    repeat = int(el.get(TABLE + "number-columns-repeated", "1"))
                    last = columns[-1][0] if columns else 0
                    columns.append((last + repeat, el.get(TABLE + "default-cell-style-name")))
                elif tag in _CELLS:
                    repeat = int(el.get(TABLE + "number-columns-repeated", "1"))
                    if el.get(OFFICE + "value-type") == "date":
                        style = el.get(TABLE + "style-name") or row_default or _column_style(columns, col)
                        if style in styles:
                            out.setdefault(row + 1, []).extend(range(col, col + min(repeat, _MAX_REPEAT)))
                    col += repeat
                elif tag == TABLE + "table-row":
                    repeat = int(el.get(TABLE + "number-rows-repeated", "1"))
                    cells = out.get(row + 1)
                    if cells and repeat > 1:  # the same row again: its cells again
                        for r in range(row + 2, row + 1 + min(repeat, _MAX_REPEAT)):
                            out[r] = list(cells)
                    row += repeat
                    col, row_default = 0, None
                    el.clear()
    return out


def _column_style(columns: list[tuple[int, str | None]], col: int) -> str | None:
    for end, style in columns:
        if col < end:
            return style
    return None
