"""Yearly plans (年度计划) from a suggestion that meets the rules, advance filing (预约报备) and spot checks (抽查)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from dangjian.core.models import Event
from dangjian.orglife import actions
from dangjian.orglife.compliance import compliance
from dangjian.orglife.models import Filing, Meeting, Plan
from dangjian.rules import meetings as rules
from tests.factories import make_member

TODAY = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)):
        yield


def test_suggestion_meets_every_requirement(cast):
    items = actions.suggest_plan(cast.tree.b1, 2027)
    assert actions.plan_gaps(cast.tree.b1, 2027, items) == []
    assert all(i["planned_on"].year == 2027 for i in items)
    counts = {k: sum(i["kind"] == k for i in items) for k in rules.KINDS}
    assert counts["theme_day"] == 12 and counts["branch_congress"] == 4 and counts["org_life_meeting"] == 1
    assert counts["branch_committee"] == 0  # fewer than 7 full members: no committee
    org_life = next(i for i in items if i["kind"] == "org_life_meeting")
    assert rules.is_usual_org_life_quarter(org_life["planned_on"])
    assert "2027年第一季度支部党员大会" in {i["topic"] for i in items}


def test_suggestion_includes_committee_meetings_with_seven_full_members(cast):
    for i in range(6):
        make_member(cast.tree.b1, f"委员{i}")
    cast.tree.b1.refresh_from_db()
    items = actions.suggest_plan(cast.tree.b1, 2027)
    assert sum(i["kind"] == "branch_committee" for i in items) == 12


def test_save_plan_replaces_items_and_reports_gaps_as_warnings(cast):
    items = actions.suggest_plan(cast.tree.b1, 2027)
    plan, gaps = actions.save_plan(cast.tree.b1, 2027, items, by=cast.secretary1)
    assert gaps == [] and plan.items.count() == len(items) and plan.org_path == cast.tree.b1.path
    fewer = [i for i in items if not (i["kind"] == "theme_day" and i["planned_on"].month == 3)]
    plan, gaps = actions.save_plan(cast.tree.b1, 2027, fewer, by=cast.secretary1)
    assert Plan.objects.count() == 1 and plan.items.count() == len(items) - 1
    assert [(g["kind"], g["period"], g["planned"], g["hard"]) for g in gaps] == [("theme_day", "2027-03", 0, False)]
    assert "（一般要求）" in gaps[0]["message"]
    assert list(Event.objects.filter(verb__startswith="plan.").values_list("verb", flat=True).order_by("id")) == [
        "plan.create", "plan.update"]


@pytest.mark.parametrize("item,message", [
    ({"kind": "theme_day", "planned_on": dt.date(2026, 12, 31), "topic": "x"}, "不在2027年内"),
    ({"kind": "branch_committee", "planned_on": dt.date(2027, 1, 5), "topic": "x"}, "不设支部委员会"),
    ({"kind": "party", "planned_on": dt.date(2027, 1, 5), "topic": "x"}, "类型“party”无效"),
    ({"kind": "theme_day", "planned_on": dt.date(2027, 1, 5), "topic": " "}, "请填写主题"),
])
def test_bad_plan_items_refused_nothing_saved(cast, item, message):
    good = {"kind": "theme_day", "planned_on": dt.date(2027, 2, 5), "topic": "好的"}
    with pytest.raises(ValidationError) as e:
        actions.save_plan(cast.tree.b1, 2027, [good, item])
    assert e.value.message_dict["items"][0].startswith("第2项") and message in e.value.message_dict["items"][0]
    assert not Plan.objects.exists()


def test_plan_only_for_branches_and_sane_years(cast):
    with pytest.raises(ValidationError, match="由党支部制定"):
        actions.save_plan(cast.tree.town, 2027, [])
    with pytest.raises(ValidationError, match="计划年度“2029”无效"):
        actions.save_plan(cast.tree.b1, 2029, [])


def test_filing_in_advance_and_short_notice(cast):
    f = actions.file_meeting(cast.tree.b1, kind="theme_day", planned_on=TODAY + dt.timedelta(days=3),
                             topic="参观纪念馆", place="县党史馆", by=cast.secretary1)
    assert f.status == "filed" and not f.short_notice and f.org_path == cast.tree.b1.path
    g = actions.file_meeting(cast.tree.b1, kind="party_lecture", planned_on=TODAY + dt.timedelta(days=2), topic="党课")
    assert g.short_notice  # accepted, but marked 临时报备 (soft local rule)
    assert Event.objects.filter(verb="filing.create").count() == 2


@pytest.mark.parametrize("kw,field,message", [
    ({"planned_on": TODAY - dt.timedelta(days=1)}, "planned_on", "不能早于今天"),
    ({"planned_on": dt.date(2028, 1, 1)}, "planned_on", "2027年底以前"),
    ({"kind": "branch_committee"}, "kind", "不设支部委员会"),
    ({"topic": ""}, "topic", "请填写会议主题"),
])
def test_bad_filings_refused(cast, kw, field, message):
    args = {"kind": "theme_day", "planned_on": TODAY + dt.timedelta(days=5), "topic": "主题党日", **kw}
    with pytest.raises(ValidationError) as e:
        actions.file_meeting(cast.tree.b1, **args)
    assert message in e.value.message_dict[field][0]
    assert not Filing.objects.exists()


def test_recording_the_meeting_closes_the_filing(cast):
    f = actions.file_meeting(cast.tree.b1, kind="theme_day", planned_on=TODAY, topic="主题党日")
    m = actions.record_meeting(cast.tree.b1, kind="theme_day", held_on=TODAY, topic="主题党日", filing=f)
    f.refresh_from_db()
    assert f.status == "held" and f.meeting == m
    with pytest.raises(ValidationError, match="尚未召开的报备"):
        actions.record_meeting(cast.tree.b1, kind="theme_day", held_on=TODAY, topic="again", filing=f)
    other = actions.file_meeting(cast.tree.b1, kind="party_lecture", planned_on=TODAY, topic="党课")
    with pytest.raises(ValidationError, match="同类型"):
        actions.record_meeting(cast.tree.b1, kind="theme_day", held_on=TODAY, topic="x", filing=other)
    assert Meeting.objects.count() == 1


def test_cancel_filing_needs_a_reason(cast):
    f = actions.file_meeting(cast.tree.b1, kind="theme_day", planned_on=TODAY + dt.timedelta(days=9), topic="x")
    with pytest.raises(ValidationError, match="取消原因"):
        actions.cancel_filing(f, reason=" ")
    f = actions.cancel_filing(f, reason="暴雨预警，改期")
    assert f.status == "cancelled"
    with pytest.raises(ValidationError, match="已取消，不能取消"):
        actions.cancel_filing(f, reason="again")


def test_spot_check_by_the_committee_above_only(cast):
    f = actions.file_meeting(cast.tree.b1, kind="branch_congress", planned_on=TODAY + dt.timedelta(days=7),
                             topic="讨论发展对象")
    assert actions.may_spot_check(cast.town_admin, f) and actions.may_spot_check(cast.county_admin, f)
    assert not actions.may_spot_check(cast.secretary1, f)  # the branch does not check itself
    assert not actions.may_spot_check(cast.viewer, f) and not actions.may_spot_check(cast.secretary2, f)
    with pytest.raises(ValidationError, match="上级党组织"):
        actions.mark_spot_check(f, by=cast.secretary1)
    f = actions.mark_spot_check(f, note="镇党委派人列席", by=cast.town_admin)
    assert f.spot_check and f.spot_check_by == cast.town_admin
    f = actions.mark_spot_check(f, on=False, by=cast.town_admin)
    assert not f.spot_check and f.spot_check_note == ""


def test_filings_follow_scope(cast):
    actions.file_meeting(cast.tree.b1, kind="theme_day", planned_on=TODAY + dt.timedelta(days=4), topic="x")
    assert Filing.objects.restrict(cast.town_admin, "view").count() == 1
    assert Filing.objects.restrict(cast.member_user, "view").count() == 1
    assert Filing.objects.restrict(cast.secretary2, "view").count() == 0
    assert Filing.objects.restrict(cast.outsider, "view").count() == 0


def test_plans_do_not_count_as_held(cast):
    actions.save_plan(cast.tree.b1, 2026, actions.suggest_plan(cast.tree.b1, 2026))
    rows = compliance(cast.tree.b1, 2026, today=TODAY)
    assert all(r.held == 0 for r in rows)
