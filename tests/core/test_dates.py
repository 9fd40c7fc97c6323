import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.dates import DateError, add_years, form_date, parse_date


@pytest.mark.parametrize("raw", ["2020-01-05", "2020/1/5", "2020.01.05", "2020年1月5日", "20200105", 43835,
                                 dt.datetime(2020, 1, 5, 0, 0), "2020-01-05 00:00:00"])
def test_accepted_forms(raw):
    assert parse_date(raw) == dt.date(2020, 1, 5)


def test_empty_is_none():
    assert parse_date("  ") is None and parse_date(None) is None


@pytest.mark.parametrize("raw", ["2020-02-30", "五月", "2020-13-01"])
def test_bad_dates(raw):
    with pytest.raises(DateError):
        parse_date(raw)


def test_add_years_leap_day():
    assert add_years(dt.date(2004, 2, 29), 18) == dt.date(2022, 2, 28)


def test_form_date_reads_iso_dates_and_names_the_field_when_it_cannot():
    assert form_date(None, "受理日期") is None
    assert form_date("", "受理日期") is None
    assert form_date(" 2025-07-01 ", "受理日期") == dt.date(2025, 7, 1)
    assert form_date(dt.date(2025, 7, 1), "受理日期") == dt.date(2025, 7, 1)
    assert form_date(dt.datetime(2025, 7, 1, 9, 30), "受理日期") == dt.date(2025, 7, 1)
    with pytest.raises(ValidationError) as e:
        form_date("2025/7/1", "受理日期")
    assert e.value.messages == ["受理日期格式不正确，请按“2025-07-01”填写"]
    with pytest.raises(ValidationError):
        form_date("2025-02-30", "完成日期")
