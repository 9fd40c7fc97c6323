"""党籍变更 as approval cases: requested by the branch, approved by the committee above, applied to Member.status."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dangjian.members import actions, queries
from dangjian.members.models import StatusCase
from dangjian.transfers import actions as transfer_actions

TODAY = timezone.localdate()
ON = TODAY - dt.timedelta(days=3)


def _request(cast, member=None, kind="suspend", leave_type="", by=None, **kw):
    return actions.request_status_change(member or cast.m1, kind=kind, leave_type=leave_type, effective_on=ON,
                                         reason="失去联系6个月以上，经多方联系仍无法取得联系", by=by or cast.secretary1, **kw)


def test_committee_above_approves_and_status_changes_with_history(cast):
    case = _request(cast)
    cast.m1.refresh_from_db()
    assert cast.m1.status == "normal"  # nothing changes before approval
    actions.approve_status_case(case, by=cast.town_admin, note="同意")
    cast.m1.refresh_from_db()
    assert cast.m1.status == "suspended" and cast.m1.status_changed_on == ON
    assert f"党籍变更 #{case.pk}" in cast.m1.status_reason
    assert cast.m1.history.first().history_change_reason == "党籍状态：正常 → 停止党籍"
    case.refresh_from_db()
    assert case.status == "approved" and case.decided_by == cast.town_admin


def test_branch_secretary_cannot_approve_even_when_someone_else_requested(cast):
    case = _request(cast, by=cast.town_admin)
    with pytest.raises(PermissionDenied):
        actions.approve_status_case(case, by=cast.secretary1)


def test_requester_cannot_approve_own_case(cast):
    case = _request(cast, by=cast.town_admin)
    with pytest.raises(ValidationError) as e:
        actions.approve_status_case(case, by=cast.town_admin)
    assert "不能审批自己提出的" in e.value.messages[0]
    assert actions.approve_status_case(case, by=cast.county_admin).status == "approved"


def test_other_district_cannot_request_or_approve(cast):
    with pytest.raises(PermissionDenied):
        _request(cast, by=cast.secretary2)
    case = _request(cast)
    with pytest.raises(PermissionDenied):
        actions.approve_status_case(case, by=cast.viewer)


@pytest.mark.parametrize("leave_type", ["self_lapse", "removed", "persuaded", "expelled"])
def test_leave_subtype_is_stored_and_member_leaves(cast, leave_type):
    case = _request(cast, kind="leave", leave_type=leave_type)
    actions.approve_status_case(case, by=cast.town_admin)
    cast.m1.refresh_from_db()
    assert cast.m1.status == "expelled" and StatusCase.objects.get(pk=case.pk).leave_type == leave_type
    assert case.get_leave_type_display() in cast.m1.status_reason


def test_leave_needs_a_subtype(cast):
    with pytest.raises(ValidationError) as e:
        _request(cast, kind="leave")
    assert "出党须注明方式" in e.value.message_dict["leave_type"][0]


def test_probationer_cannot_be_persuaded_to_leave(cast):
    with pytest.raises(ValidationError) as e:
        _request(cast, cast.m2, kind="leave", leave_type="persuaded")
    msg = e.value.message_dict["leave_type"][0]
    assert "预备党员" in msg and "不合格党员组织处置办法" in msg


def test_restore_only_after_suspension_with_rule_source(cast):
    with pytest.raises(ValidationError) as e:
        _request(cast, kind="restore")
    assert "只有停止党籍的党员可以恢复党籍" in e.value.message_dict["kind"][0]
    actions.approve_status_case(_request(cast), by=cast.town_admin)
    actions.approve_status_case(_request(cast, kind="restore"), by=cast.town_admin)
    cast.m1.refresh_from_db()
    assert cast.m1.status == "normal"


def test_expelled_member_cannot_be_restored(cast):
    actions.approve_status_case(_request(cast, kind="leave", leave_type="removed"), by=cast.town_admin)
    with pytest.raises(ValidationError) as e:
        _request(cast, kind="restore")
    msg = e.value.message_dict["kind"][0]
    assert "5年内不得重新入党" in msg and "党员教育管理工作条例" in msg


def test_deceased_ends_the_outflow(cast):
    actions.register_mobile(cast.m1, destination="深圳", since=ON - dt.timedelta(days=30), contact="139", by=cast.secretary1)
    actions.approve_status_case(_request(cast, kind="deceased"), by=cast.town_admin)
    cast.m1.refresh_from_db()
    assert cast.m1.status == "deceased" and not cast.m1.is_mobile


def test_one_pending_case_per_member(cast):
    _request(cast)
    with pytest.raises(ValidationError) as e:
        _request(cast, kind="deceased")
    assert "待审批的党籍变更" in e.value.message_dict["member"][0]


def test_member_in_transfer_cannot_change_status_and_vice_versa(cast):
    transfer_actions.start(cast.m1, to_org=cast.tree.b3, reason="调动", by=cast.secretary1)
    with pytest.raises(ValidationError) as e:
        _request(cast)
    assert "组织关系正在转接中" in e.value.message_dict["member"][0]
    _request(cast, cast.m2)
    with pytest.raises(ValidationError) as e:
        transfer_actions.start(cast.m2, to_org=cast.tree.b3, reason="调动", by=cast.secretary1)
    assert "待审批的党籍变更" in e.value.message_dict["member"][0]


def test_future_date_and_empty_reason_refused(cast):
    with pytest.raises(ValidationError) as e:
        actions.request_status_change(cast.m1, kind="suspend", effective_on=TODAY + dt.timedelta(days=1),
                                      reason="x", by=cast.secretary1)
    assert "变更日期不能晚于今天" in e.value.message_dict["effective_on"][0]
    with pytest.raises(ValidationError) as e:
        actions.request_status_change(cast.m1, kind="suspend", effective_on=ON, reason="  ", by=cast.secretary1)
    assert "请填写变更原因" in e.value.message_dict["reason"][0]
    assert not StatusCase.objects.exists()


def test_reject_needs_a_reason_and_leaves_status(cast):
    case = _request(cast)
    with pytest.raises(ValidationError):
        actions.reject_status_case(case, by=cast.town_admin, note="")
    actions.reject_status_case(case, by=cast.town_admin, note="材料不全")
    cast.m1.refresh_from_db()
    assert cast.m1.status == "normal" and StatusCase.objects.get(pk=case.pk).status == "rejected"


def test_requester_cancels_pending(cast):
    case = actions.cancel_status_case(_request(cast), by=cast.secretary1)
    assert case.status == "cancelled"


def test_to_approve_lists_only_committees_above_not_the_requester(cast):
    case = _request(cast)
    assert list(queries.cases_to_approve(cast.town_admin)) == [case]
    assert list(queries.cases_to_approve(cast.city_admin)) == [case]
    assert not queries.cases_to_approve(cast.secretary1).exists()
    assert not queries.cases_to_approve(cast.secretary2).exists()
