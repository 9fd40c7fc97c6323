import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.dates import DateError, PartialDate, add_years, form_date, parse_date


@pytest.mark.parametrize("raw", ["2020-01-05", "2020/1/5", "2020.01.05", "2020年1月5日", "20200105", 43835,
                                 dt.datetime(2020, 1, 5, 0, 0), "2020-01-05 00:00:00", "2020-01-05T00:00:00",
                                 "2020.1.5.", "2020年1月5号", "2020。1。5", "2020 1 5", "二〇二〇年一月五日",
                                 "二○二○年一月五日", "二零二零年一月五号"])
def test_accepted_forms(raw):
    assert parse_date(raw) == dt.date(2020, 1, 5)


def test_empty_is_none():
    assert parse_date("  ") is None and parse_date(None) is None


@pytest.mark.parametrize("raw", ["2020-02-30", "五月", "2020-13-01", "二〇二〇年十三月一日", "二〇二〇年一月三十二日",
                                 "二〇二〇年一月五"])
def test_bad_dates(raw):
    with pytest.raises(DateError):
        parse_date(raw)


@pytest.mark.parametrize(("raw", "day"), [("二〇一二年十二月三十一日", 31), ("二〇一二年十二月十日", 10),
                                          ("二〇一二年十二月二十日", 20), ("二〇一二年十二月九日", 9)])
def test_chinese_numerals(raw, day):
    assert parse_date(raw) == dt.date(2012, 12, day)


def test_messages_quote_the_date_as_typed():
    with pytest.raises(DateError, match="日期“二〇二〇年二月三十日”不存在"):
        parse_date("二〇二〇年二月三十日")


@pytest.mark.parametrize("raw", ["2003.10", "2003-10", "2003/10", "2003年10月", "2003 年 10 月", "200310", 200310,
                                 "二〇〇三年十月"])
def test_a_date_written_to_the_month_says_so_and_keeps_year_and_month(raw):
    with pytest.raises(PartialDate) as e:
        parse_date(raw)
    assert (e.value.year, e.value.month, str(e.value)) == (2003, 10, "日期只写到了月份，请写到日，如2020-01-05")


@pytest.mark.parametrize("raw,months", [(2003.1, (1, 10)), ("2003.1", (1, 10)), (2003.10, (1, 10)), (2003.01, (1,)),
                                        (2003.12, (12,)), (2003.7, (7,)), ("2003.10", (10,)), ("2003年1月", (1,)),
                                        ("2003-1", (1,))])
def test_a_year_and_month_ending_in_dot_one_may_be_october(raw, months):
    with pytest.raises(PartialDate) as e:
        parse_date(raw)
    assert (e.value.year, e.value.months) == (2003, months)


def test_a_number_that_is_a_year_and_month_says_it_is_a_number():
    with pytest.raises(PartialDate, match="单元格是数字“2012.7”，不是日期"):
        parse_date(2012.7)


@pytest.mark.parametrize("raw", ["2003.13", "2003.0", "200313", 200300, 2003.13, 2003.123, 2003.0])
def test_no_such_month_is_not_a_partial_date(raw):
    with pytest.raises(DateError) as e:
        parse_date(raw)
    assert not isinstance(e.value, PartialDate)


@pytest.mark.parametrize("raw,ok", [(1899.99, True), (1900, False), (2003.1, False), (2099.9, False), (2100, True),
                                    (190000, True), (210013, False), (210100, True)])
def test_years_typed_as_numbers_are_not_serial_dates(raw, ok):
    if ok:
        assert isinstance(parse_date(raw), dt.date)
    else:
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
