"""Values read back from raw SQL, the same on every backend."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

ZERO = Decimal("0.00")
FEN = Decimal("0.01")


def dec(v) -> Decimal:
    """Yuan to the fen. SQLite sums decimals as floats; two places are exact after quantizing (PostgreSQL:
    numeric already)."""
    return ZERO if v is None else Decimal(str(v)).quantize(FEN)


def date_of(v) -> dt.date | None:
    """A DATE column (SQLite returns text for computed ones)."""
    if v is None or isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])
