import datetime as dt

import pytest

from dangjian.rules import statistics as rules


@pytest.mark.parametrize(("joined", "key"), [
    (dt.date(1949, 9, 30), "before_1949"), (dt.date(1949, 10, 1), "1949_1978"),
    (dt.date(1978, 12, 17), "1949_1978"), (dt.date(1978, 12, 18), "1978_2012"),
    (dt.date(2012, 11, 7), "1978_2012"), (dt.date(2012, 11, 8), "since_2012"), (dt.date(2026, 1, 1), "since_2012"),
    (dt.date(1921, 7, 1), "before_1949"),
])
def test_join_period_edges(joined, key):
    assert rules.join_period(joined).key == key


def test_the_periods_follow_one_another_without_gap():
    periods = rules.JOIN_PERIODS
    assert periods[0].start is None and periods[-1].end is None
    assert all(a.end == b.start for a, b in zip(periods, periods[1:], strict=False))


@pytest.mark.parametrize(("today", "expected"), [
    (dt.date(2026, 12, 7), dt.date(2025, 12, 31)), (dt.date(2026, 12, 31), dt.date(2026, 12, 31)),
    (dt.date(2027, 1, 1), dt.date(2026, 12, 31)), (dt.date(2026, 12, 30), dt.date(2025, 12, 31)),
])
def test_last_reference_date(today, expected):
    assert rules.last_reference_date(today) == expected
