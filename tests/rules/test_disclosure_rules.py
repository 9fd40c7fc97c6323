"""rules.disclosure: the 村委会组织法 第三十条 frequencies, deadlines after a period, the default catalogue."""

import datetime as dt
from pathlib import Path

from dangjian.disclosure.models import Category, Frequency, Review
from dangjian.orgs.models import Domain
from dangjian.rules import disclosure
from tests.rules.test_base import rules_of


def test_law_frequencies():
    assert disclosure.VILLAGE_GENERAL.value == "quarterly" and "第三十条" in disclosure.VILLAGE_GENERAL.source
    assert disclosure.VILLAGE_FINANCE_BUSY.value == "monthly"
    assert disclosure.VILLAGE_MAJOR.value == "immediate"


def test_deadline_edges():
    assert disclosure.deadline("2025-12") == dt.date(2026, 1, 15)
    assert disclosure.deadline("2024-02") == dt.date(2024, 3, 15)  # leap February ends on the 29th


def test_periods_due_only_after_the_deadline():
    assert disclosure.periods_due("quarterly", 2025, dt.date(2025, 4, 15)) == []
    assert disclosure.periods_due("quarterly", 2025, dt.date(2025, 4, 16)) == ["2025-Q1"]
    assert disclosure.periods_due("immediate", 2025, dt.date(2026, 1, 1)) == []


def test_current_period():
    assert disclosure.current_period("quarterly", dt.date(2025, 10, 3)) == "2025-Q3"
    assert disclosure.current_period("monthly", dt.date(2025, 1, 3)) == "2024-12"


def test_default_catalog_uses_known_values():
    for row in disclosure.default_catalog():
        assert row["domain"] in Domain.values and row["category"] in Category.values
        assert row["frequency"] in Frequency.values and row["review"] in Review.values
    assert set(disclosure.FREQUENCIES) == set(Frequency.values) and set(disclosure.REVIEWS) == set(Review.values)


def test_readme_lists_every_disclosure_rule():
    readme = (Path(disclosure.__file__).parent / "README.md").read_text(encoding="utf-8")
    for rule in rules_of(disclosure):
        assert f"| `{rule.key}` |" in readme, rule.key
        assert rule.local == ("L)" in rule.source or "(L" in rule.source), rule.key
