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


# ---- major matters (随时公开): a deadline counted from the day the matter occurred

def test_major_matter_deadline_counts_calendar_days_from_the_matter():
    assert disclosure.MAJOR_WITHIN_DAYS.value == 5
    assert disclosure.MAJOR_WITHIN_DAYS.local and not disclosure.MAJOR_WITHIN_DAYS.hard
    assert "[S82]" in disclosure.MAJOR_WITHIN_DAYS.source
    assert disclosure.matter_deadline(dt.date(2025, 3, 2)) == dt.date(2025, 3, 7)
    assert disclosure.matter_deadline(dt.date(2025, 12, 29)) == dt.date(2026, 1, 3)  # across the year
    assert disclosure.matter_deadline(dt.date(2024, 2, 26)) == dt.date(2024, 3, 2)  # leap February has the 29th


def test_major_matter_states_at_the_edges():
    occurred = dt.date(2025, 3, 2)  # deadline 7 March
    assert disclosure.matter_state(occurred, None, occurred) == "pending"
    assert disclosure.matter_state(occurred, None, dt.date(2025, 3, 7)) == "pending"  # the last day is still in time
    assert disclosure.matter_state(occurred, None, dt.date(2025, 3, 8)) == "overdue"
    assert disclosure.matter_state(occurred, dt.date(2025, 3, 2), dt.date(2025, 3, 8)) == "published"
    assert disclosure.matter_state(occurred, dt.date(2025, 3, 7), dt.date(2026, 1, 1)) == "published"
    assert disclosure.matter_state(occurred, dt.date(2025, 3, 8), dt.date(2026, 1, 1)) == "late"
    assert set(disclosure.MATTER_STATES) == {"published", "late", "pending", "overdue"}


def test_major_matter_days_are_a_local_setting(settings):
    settings.DANGJIAN_RULES = {"disclosure.major_within_days": 10}
    assert disclosure.matter_deadline(dt.date(2025, 3, 2)) == dt.date(2025, 3, 12)
    settings.DANGJIAN_RULES = {"disclosure.major_within_days": 0}  # the same day
    assert disclosure.matter_state(dt.date(2025, 3, 2), None, dt.date(2025, 3, 3)) == "overdue"
