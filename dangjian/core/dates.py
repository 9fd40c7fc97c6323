"""Dates as people type them in rosters: 2020-01-05, 2020/1/5, 2020.01.05, 2020年1月5日, 20200105,
二〇二〇年一月五日, and Excel serial numbers / real dates."""

import datetime as dt
import re

# Separators as typed: also the full stop of a Chinese keyboard (2012。7。1), a space, 1号 for 1日, a final dot.
_SEP = re.compile(r"^(\d{4})\s*[-/.年。．、\s]\s*(\d{1,2})\s*[-/.月。．、\s]\s*(\d{1,2})\s*[日号]?\s*[.。]?$")
# 二〇一二年七月一日, as formal documents (入党志愿书, 决定) write dates; ○ and 零 are typed for 〇.
_CHINESE = re.compile(r"^([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月(?:([一二三四五六七八九十]{1,3})[日号])?$")
_CHINESE_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YEAR_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_COMPACT_YEAR_MONTH = re.compile(r"^(\d{4})(\d{2})$")
_DOT_ONE = re.compile(r"^\d{4}\.1$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


class DateError(ValueError):
    pass


class PartialDate(DateError):
    """A date written only to the month, as rosters often do (2003.10, 2003-10, 2003年10月, 200310): the
    message says the day is missing; `year` and `month` let a caller check it against a full date it knows
    (a birth month against the 公民身份号码)."""

    def __init__(self, year: int, month: int, *, also: int | None = None, message: str | None = None):
        super().__init__(message or "日期只写到了月份，请写到日，如2020-01-05")
        self.year, self.month = year, month
        # The months it may mean: 1990.1 may be October too, as Excel shows (and saves to CSV) the number 1990.10.
        self.months = (month,) if also is None else (month, also)


class MonthDate(dt.date):
    """A date a spreadsheet shows only to the month: Excel keeps a typed 2012年7月 (or 2012-7) as 2012-07-01 under
    a format such as yyyy"年"m"月", so the 1st may not be the day meant. The readers give one for a cell on the 1st
    of a month whose format shows no day; `parse_date` reads it as the year and month it shows (PartialDate)."""

    def shown(self) -> str:
        return f"{self.year}年{self.month}月"


def _chinese_number(text: str) -> int | None:
    """一 … 三十一 (a month or a day written in Chinese numerals)."""
    tens, ten, ones = text.partition("十")
    if not ten:
        return _CHINESE_DIGITS.get(text) if len(text) == 1 else None
    if len(tens) > 1 or len(ones) > 1:
        return None
    return (_CHINESE_DIGITS[tens] if tens else 1) * 10 + (_CHINESE_DIGITS[ones] if ones else 0)


def _from_chinese(text: str) -> str:
    """二〇一二年七月一日 -> 2012-7-1 (二〇一二年七月 -> 2012年7月); anything else as it is."""
    m = _CHINESE.match(text)
    if not m:
        return text
    year = "".join(str(_CHINESE_DIGITS[c]) for c in m.group(1))
    month = _chinese_number(m.group(2))
    day = _chinese_number(m.group(3)) if m.group(3) else None
    if month is None or (m.group(3) and day is None):
        return text
    return f"{year}-{month}-{day}" if day is not None else f"{year}年{month}月"


def _year_month(text: str) -> tuple[int, int] | None:
    m = _YEAR_MONTH.match(text) or _COMPACT_YEAR_MONTH.match(text)
    if m and 1 <= int(m.group(2)) <= 12:
        return int(m.group(1)), int(m.group(2))
    return None


def _partial(text: str, message: str | None = None) -> PartialDate | None:
    """The PartialDate of a year and month (2003.10, 2003年10月), else None."""
    if ym := _year_month(text):
        return PartialDate(*ym, also=10 if _DOT_ONE.match(text) else None, message=message)
    return None


def parse_date(value) -> dt.date | None:
    """None for an empty cell; DateError with a Chinese message for anything unreadable."""
    if value is None:
        return None
    if type(value) is MonthDate:
        raise PartialDate(value.year, value.month, message=(
            f"单元格格式只显示到月（{value.shown()}），看不出是哪一天（Excel存为{value.month}月1日）；"
            "请把单元格格式改为显示年月日，核对日期后再导入"))
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # A year or a year and month typed into a numeric cell (2003, 2003.1, 200310) would read as an Excel serial
        # date in 1905 or after 2420, which no roster date is.
        if 1900 <= value < 2100 or 190001 <= value < 210100:
            message = f"单元格是数字“{value:g}”，不是日期；请写到日，如2020-01-05"
            if value == int(value) and (partial := _partial(str(int(value)))):
                raise partial
            if value != int(value) and value < 2100 and (partial := _partial(repr(float(value)), message)):
                raise partial  # 1990.03 typed into a numeric 出生年月 cell: a year and a month
            raise DateError(message)
        if 1 <= value < 2958466:  # Excel serial date
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise DateError(f"无法识别的日期：{value}")
    text = str(value).strip().replace("\u3000", "")
    if not text:
        return None
    shown = text  # as typed, for the messages
    if ":" in text:  # "2020-01-05 00:00:00", "2020-01-05T00:00:00"
        text = re.split(r"[ T]", text, maxsplit=1)[0]
    if not text[0].isdigit():
        text = _from_chinese(text)
    m = _SEP.match(text) or _COMPACT.match(text)
    if not m:
        if partial := _partial(text):
            raise partial
        raise DateError(f"无法识别的日期“{shown}”，请写成2020-01-05或2020年1月5日")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise DateError(f"日期“{shown}”不存在") from None


def form_date(raw, label: str) -> dt.date | None:
    """A date from a form or an API body (ISO 2025-07-01, or a date already): None when empty; a Chinese
    ValidationError naming `label` otherwise."""
    from django.core.exceptions import ValidationError

    if raw in (None, ""):
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValidationError(f"{label}格式不正确，请按“2025-07-01”填写") from None


def add_years(d: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def age_on(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
