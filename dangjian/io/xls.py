"""The number formats of an .xls (Excel 97–2003, and WPS's default in older versions), which calamine does not give:
which cells show a date without its day, as a typed 2012年7月 does (`readers._month_dates` makes them MonthDates).
Read with xlrd, the workbook's formats first (on demand: no sheet yet), the sheet only when one of them is such a
date."""

from __future__ import annotations

from .xlsx_stream import NO_DAY, format_id_kind


def no_day_cells(path, sheet_name: str | None = None) -> dict[int, list[int]]:
    """{row number: [column index from A]} of the date cells of sheet `sheet_name` (None: the first) whose format
    shows no day."""
    import xlrd

    out: dict[int, list[int]] = {}
    book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    try:
        custom = {key: f.format_str for key, f in book.format_map.items()}
        no_day = {i for i, xf in enumerate(book.xf_list) if format_id_kind(xf.format_key, custom) == NO_DAY}
        if not no_day:
            return out
        sheet = book.sheet_by_name(sheet_name) if sheet_name else book.sheet_by_index(0)
        for r in range(sheet.nrows):
            for c, kind in enumerate(sheet.row_types(r)):
                if kind == xlrd.XL_CELL_DATE and sheet.cell_xf_index(r, c) in no_day:
                    out.setdefault(r + 1, []).append(c)
    finally:
        book.release_resources()
    return out
