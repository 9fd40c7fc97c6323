"""流动党员: outflow registration, both sides' views, the prompt to transfer after 6 months at a fixed place."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dangjian.core.models import Event
from dangjian.members import actions, queries, reminders
from dangjian.members.models import MemberNotice, MobileMembership
from dangjian.rules.base import add_months
from dangjian.transfers import actions as transfer_actions
from tests.factories import make_user

TODAY = timezone.localdate()


def _register(cast, member=None, *, since=None, fixed=True, receiving=None, by=None, **extra):
    return actions.register_mobile(
        member or cast.m1, destination="广东省深圳市南山区", since=since or add_months(TODAY, -2), contact="13900000001",
        certificate_no="流动证2025-001", receiving_org=receiving, fixed_place=fixed, by=by or cast.secretary1, **extra)


def test_secretary_registers_outflow_member_stays_in_branch(cast):
    r = _register(cast, receiving=cast.tree.b3)
    cast.m1.refresh_from_db()
    assert cast.m1.org == cast.tree.b1 and cast.m1.is_mobile and cast.m1.mobile_destination == "广东省深圳市南山区"
    assert r.receiving_display == "西区花园社区党支部" and r.ended_on is None
    assert Event.objects.filter(verb="member.mobile_register", object_id=str(r.pk)).exists()
    assert cast.m1.history.first().history_change_reason == "流动党员外出登记"


def test_receiving_side_sees_the_record_but_cannot_end_it(cast):
    r = _register(cast, receiving=cast.tree.b3)
    cb_secretary = make_user("cb_sec", "secretary", cast.tree.b3)
    assert list(queries.mobile_list(cb_secretary)) == [r]
    assert not MobileMembership.objects.restrict(cb_secretary, "change_member").exists()
    with pytest.raises(PermissionDenied):
        actions.end_mobile(r, on=TODAY, reason="返回", by=cb_secretary)


def test_other_branch_neither_sees_nor_registers(cast):
    _register(cast)
    assert not queries.mobile_list(cast.secretary2).exists()
    with pytest.raises(PermissionDenied):
        _register(cast, cast.m2, by=cast.secretary2)


def test_external_receiving_organization_by_name(cast):
    r = _register(cast, receiving_name="深圳市某科技公司党委")
    assert r.receiving_org is None and r.receiving_display == "深圳市某科技公司党委"


@pytest.mark.parametrize(("field", "kwargs", "message"), [
    ("destination", {"destination": " "}, "请填写外出地点"),
    ("contact", {"contact": ""}, "请填写外出期间联系方式"),
    ("since", {"since": TODAY + dt.timedelta(days=1)}, "外出日期不能晚于今天"),
    ("since", {"since": dt.date(2009, 1, 1)}, "不能早于入党日期"),
])
def test_bad_input_refused_with_field_and_reason(cast, field, kwargs, message):
    data = {"destination": "深圳", "since": add_months(TODAY, -1), "contact": "139"} | kwargs
    with pytest.raises(ValidationError) as e:
        actions.register_mobile(cast.m1, by=cast.secretary1, **data)
    assert message in e.value.message_dict[field][0]
    assert not MobileMembership.objects.exists()
    cast.m1.refresh_from_db()
    assert not cast.m1.is_mobile


def test_receiving_org_cannot_be_own_branch(cast):
    with pytest.raises(ValidationError) as e:
        _register(cast, receiving=cast.tree.b1)
    assert "流入地党组织不能是党员所在的党支部" in e.value.message_dict["receiving_org"][0]


def test_only_one_current_outflow(cast):
    _register(cast)
    with pytest.raises(ValidationError) as e:
        _register(cast)
    assert "请先登记返回" in e.value.message_dict["member"][0]


def test_return_ends_the_record_and_clears_the_flag(cast):
    r = _register(cast)
    r = actions.end_mobile(r, on=TODAY, reason="返回原地", by=cast.secretary1)
    cast.m1.refresh_from_db()
    assert r.ended_on == TODAY and not cast.m1.is_mobile and cast.m1.mobile_destination == ""
    with pytest.raises(ValidationError):
        actions.end_mobile(r, on=TODAY, reason="返回原地", by=cast.secretary1)


def test_away_six_months_at_fixed_place_is_prompted_for_transfer(cast):
    due = _register(cast, since=add_months(TODAY, -6))
    _register(cast, cast.m2, since=add_months(TODAY, -6) + dt.timedelta(days=1))  # one day short
    _register(cast, cast.m3, since=add_months(TODAY, -12), fixed=False, by=cast.secretary2)  # place not fixed
    assert list(queries.transfer_due(cast.town_admin, TODAY)) == [due]


def test_member_already_in_transfer_is_not_prompted(cast):
    _register(cast, since=add_months(TODAY, -7))
    transfer_actions.start(cast.m1, to_org=cast.tree.b3, reason="长期在外", by=cast.secretary1)
    assert not queries.transfer_due(cast.town_admin, TODAY).exists()


def test_completed_transfer_ends_the_outflow(cast):
    _register(cast, since=add_months(TODAY, -7))
    t = transfer_actions.start(cast.m1, to_org=cast.tree.b3, reason="长期在外", by=cast.secretary1)
    transfer_actions.approve(t, by=cast.town_admin)
    transfer_actions.accept(t, by=cast.city_admin)
    r = MobileMembership.objects.get(member=cast.m1)
    cast.m1.refresh_from_db()
    assert r.ended_on == TODAY and "组织关系已转接" in r.end_reason and not cast.m1.is_mobile


def test_reminders_prompt_the_home_branch_once(cast):
    _register(cast, since=add_months(TODAY, -7))
    first = reminders.run(TODAY)
    assert first["transfer_due"] == 1  # secretary1 holds the grant on the branch itself
    n = MemberNotice.objects.get(kind="transfer_due")
    assert n.user == cast.secretary1 and "应转移组织关系" in n.title
    assert reminders.run(TODAY)["sent"] == {"InAppChannel": 0}


def test_mobile_list_query_count_is_bounded(cast, django_assert_max_num_queries, client):
    for m in (cast.m1, cast.m2):
        _register(cast, m)
    client.force_login(cast.town_admin)
    with django_assert_max_num_queries(12):
        r = client.get("/members/mobile/")
    assert r.status_code == 200 and "张伟" in r.content.decode() and "李娜" in r.content.decode()
