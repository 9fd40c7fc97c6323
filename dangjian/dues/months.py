"""Months as dates (the first day), the way the dues tables store them."""

import datetime as dt
import re

from dangjian.rules.base import add_months

_MONTH_RE = re.compile(r"^\s*(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*月?\s*$")


def first_of(d: dt.date) -> dt.date:
    return d.replace(day=1)


def parse_month(raw, *, field: str = "月份") -> dt.date:
    """A month from a date, a (year, month) pair or text like 2025-07, 2025/7, 2025年7月."""
    if isinstance(raw, dt.datetime):
        return raw.date().replace(day=1)
    if isinstance(raw, dt.date):
        return raw.replace(day=1)
    if isinstance(raw, (tuple, list)) and len(raw) == 2:
        year, month = raw
    else:
        m = _MONTH_RE.match(str(raw or ""))
        if not m:
            raise ValueError(f"{field}“{raw}”不是有效的年月，请写成 2025-07")
        year, month = int(m.group(1)), int(m.group(2))
    try:
        return dt.date(int(year), int(month), 1)
    except (TypeError, ValueError):
        raise ValueError(f"{field}“{raw}”不是有效的年月") from None


def next_month(d: dt.date) -> dt.date:
    return add_months(first_of(d), 1)


def month_range(start: dt.date, end: dt.date) -> list[dt.date]:
    out, cur = [], first_of(start)
    end = first_of(end)
    while cur <= end:
        out.append(cur)
        cur = add_months(cur, 1)
    return out


def label(d: dt.date) -> str:
    return f"{d.year}年{d.month}月"
