import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from dangjian.orglife import actions
from dangjian.orglife.compliance import compliance
from tests.factories import make_org

TODAY = dt.date(2026, 11, 20)


def rec(org, kind, day, topic="会议"):
    actions.record_meeting(org, kind=kind, held_on=day, topic=topic)


def rows_by(rows, org, kind):
    return {r.period: r for r in rows if r.org == org and r.requirement == kind}


def test_quarterly_congress_counts_by_calendar_quarter(cast):
    b1 = cast.tree.b1
    rec(b1, "branch_congress", dt.date(2026, 3, 31))  # last day of Q1 counts for Q1
    rec(b1, "branch_congress", dt.date(2026, 7, 1))
    rows = rows_by(compliance(cast.tree.city, 2026, today=TODAY), "CA1B1", "branch_congress")
    assert [rows[p].held for p in ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4")] == [1, 0, 1, 0]
    assert rows["2026-Q1"].ok and rows["2026-Q2"].status == "missed" and rows["2026-Q4"].status == "due"


def test_periods_after_today_are_left_out_and_monthly_theme_day(cast):
    rec(cast.tree.b1, "theme_day", dt.date(2026, 11, 2))
    rows = rows_by(compliance(cast.tree.b1, 2026, today=TODAY), "CA1B1", "theme_day")
    assert sorted(rows) == [f"2026-{m:02d}" for m in range(1, 12)]
    assert rows["2026-11"].ok and rows["2026-10"].status == "missed"


def test_committee_meeting_only_required_with_a_committee(cast):
    rows = compliance(cast.tree.b1, 2026, today=TODAY)
    assert not any(r.requirement == "branch_committee" for r in rows)
    assert {r.requirement for r in rows} >= {"branch_congress", "party_lecture", "theme_day", "org_life_meeting",
                                            "democratic_review", "heart_talk"}


def test_only_branches_in_the_subtree(cast):
    rows = compliance(cast.tree.county, 2026, today=TODAY)
    assert {r.org for r in rows} == {"CA1B1", "CA1B2"}


def test_month_option_keeps_the_periods_containing_it(cast):
    rows = compliance(cast.tree.b1, 2026, 8, today=TODAY)
    assert {r.period for r in rows} == {"2026", "2026-Q3", "2026-08"}


def test_command_json_shape(cast):
    rec(cast.tree.b1, "branch_congress", dt.date(2025, 5, 6))
    out = StringIO()
    call_command("compliance", "--org", "CA", "--year", "2025", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["org"] == "CA" and data["year"] == 2025
    row = next(r for r in data["results"] if r["org"] == "CA1B1" and r["requirement"] == "branch_congress"
               and r["period"] == "2025-Q2")
    assert row == {"org": "CA1B1", "requirement": "branch_congress", "period": "2025-Q2", "required": 1,
                   "held": 1, "ok": True}
    assert set(data["results"][0]) == {"org", "requirement", "period", "required", "held", "ok"}


def test_command_text_and_unknown_org(cast):
    out = StringIO()
    call_command("compliance", "--org", "CA1B1", "--year", "2025", stdout=out)
    assert "未达标" in out.getvalue()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="不存在"):
        call_command("compliance", "--org", "NOPE", "--year", "2025")


@pytest.mark.parametrize("n", [2, 20])
def test_query_count_does_not_grow_with_branches(cast, n, django_assert_max_num_queries):
    parent = make_org("CX", "测试镇党委", "committee", parent=cast.tree.county)
    for i in range(n):
        b = make_org(f"CX{i:03d}", f"测试村{i}党支部", "branch", parent=parent)
        rec(b, "theme_day", dt.date(2026, 2, 3))
    with django_assert_max_num_queries(3):
        rows = compliance(parent, 2026)
    assert len({r.org for r in rows}) == n


def test_year_and_month_edges(cast):
    b1 = cast.tree.b1
    rec(b1, "theme_day", dt.date(2025, 12, 31))  # previous year: not counted for 2026
    rec(b1, "theme_day", dt.date(2026, 6, 30))  # last day of June and of Q2
    rec(b1, "branch_congress", dt.date(2026, 6, 30))
    rec(b1, "org_life_meeting", dt.date(2026, 1, 1))
    rows = compliance(b1, 2026, today=TODAY)
    theme = rows_by(rows, "CA1B1", "theme_day")
    assert theme["2026-01"].held == 0 and theme["2026-06"].held == 1 and theme["2026-07"].held == 0
    assert rows_by(rows, "CA1B1", "branch_congress")["2026-Q2"].ok
    assert rows_by(rows, "CA1B1", "org_life_meeting")["2026"].held == 1
    assert rows_by(compliance(b1, 2025, today=TODAY), "CA1B1", "theme_day")["2025-12"].ok


def test_meetings_of_a_committee_do_not_count_for_its_branches(cast):
    rec(cast.tree.town, "party_lecture", dt.date(2026, 2, 1))
    rows = compliance(cast.tree.town, 2026, today=TODAY)
    assert {r.org for r in rows} == {"CA1B1", "CA1B2"}
    assert all(r.held == 0 for r in rows if r.requirement == "party_lecture")


def test_current_period_is_due_not_missed(cast):
    rows = rows_by(compliance(cast.tree.b1, 2026, today=TODAY), "CA1B1", "branch_congress")
    assert rows["2026-Q4"].status == "due" and not rows["2026-Q4"].ok and rows["2026-Q3"].status == "missed"
    assert compliance(cast.tree.b1, 2027, today=TODAY) == []


def test_committee_requirement_for_a_branch_with_seven_full_members(cast):
    from tests.factories import make_member

    for i in range(7):
        make_member(cast.tree.b2, f"党员{i}")
    cast.tree.b2.refresh_from_db()
    rows = compliance(cast.tree.town, 2026, 3, today=TODAY)
    assert {r.org for r in rows if r.requirement == "branch_committee"} == {"CA1B2"}


def test_command_month_and_bad_year(cast):
    from django.core.management.base import CommandError

    out = StringIO()
    call_command("compliance", "--org", "CA1B1", "--year", "2025", "--month", "8", "--format", "json", stdout=out)
    periods = {r["period"] for r in json.loads(out.getvalue())["results"]}
    assert periods == {"2025", "2025-Q3", "2025-08"}
    with pytest.raises(CommandError, match="年份"):
        call_command("compliance", "--org", "CA1B1", "--year", "0")
