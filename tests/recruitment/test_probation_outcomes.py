"""At the end of the 预备期: 按期转正, 延长预备期 (once, 6–12 months) or 取消预备党员资格, each voted and approved."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from dangjian.members.models import Member
from dangjian.recruitment import actions
from dangjian.recruitment.models import Stage

from .journey import by_for

D = dt.date
VOTE = {"eligible": 10, "present": 9, "yes": 8}


def step(cast, a, n, **data):
    a.refresh_from_db()
    return actions.record_step(a, n, data, by=by_for(cast, n))


def test_extension_once_then_conversion_from_the_extended_end(cast, new_file, walk):
    a = new_file()
    walk(a, 22)
    step(cast, a, 23, on=D(2024, 12, 5), outcome="extend", extension_months=6, **VOTE)
    step(cast, a, 24, on=D(2025, 1, 5))
    a.refresh_from_db()
    assert (a.extension_months, a.last_step, a.stage) == (6, 21, Stage.PROBATIONARY)
    assert a.next_due_on == D(2025, 6, 1)  # 2024-12-01 + 6 months
    step(cast, a, 21, on=D(2025, 3, 1))
    step(cast, a, 22, on=D(2025, 5, 20))
    with pytest.raises(ValidationError) as e:
        step(cast, a, 23, on=D(2025, 6, 3), outcome="extend", extension_months=6, **VOTE)
    assert "只能延长一次" in " ".join(e.value.message_dict["extension_months"])
    with pytest.raises(ValidationError) as e:
        step(cast, a, 23, on=D(2025, 5, 30), outcome="convert", **VOTE)
    assert "预备期到2025-06-01才满" in " ".join(e.value.message_dict["on"])
    step(cast, a, 23, on=D(2025, 6, 3), outcome="convert", **VOTE)
    step(cast, a, 24, on=D(2025, 7, 1))
    m = Member.objects.get(pk=a.member_id)
    assert (m.category, m.confirmed_on) == ("full", D(2025, 6, 1))


@pytest.mark.parametrize(("months", "ok"), [(5, False), (6, True), (12, True), (13, False)])
def test_extension_is_six_to_twelve_months(cast, new_file, walk, months, ok):
    a = new_file()
    walk(a, 22)
    if ok:
        rec, _ = step(cast, a, 23, on=D(2024, 12, 5), outcome="extend", extension_months=months, **VOTE)
        assert rec.extension_months == months
    else:
        with pytest.raises(ValidationError) as e:
            step(cast, a, 23, on=D(2024, 12, 5), outcome="extend", extension_months=months, **VOTE)
        assert "不能少于6个月、最长不超过12个月" in " ".join(e.value.message_dict["extension_months"])


def test_cancellation_during_the_probation_takes_the_member_out_of_the_registry(cast, new_file, walk):
    a = new_file()
    walk(a, 20)
    step(cast, a, 23, on=D(2024, 5, 6), outcome="cancel", **VOTE)
    member = Member.objects.get(pk=a.member_id)
    assert member.status == "normal"  # until the 党委 approves
    step(cast, a, 24, on=D(2024, 6, 1))
    member.refresh_from_db()
    a.refresh_from_db()
    assert member.status == "expelled" and "取消预备党员资格" in member.status_reason
    assert a.stage == Stage.CANCELLED and actions.allowed_steps(a) == []


def test_conversion_before_applying_is_refused(cast, new_file, walk):
    a = new_file()
    walk(a, 21)
    with pytest.raises(ValidationError) as e:
        step(cast, a, 23, on=D(2024, 12, 5), outcome="convert", **VOTE)
    assert "应先完成第22步" in " ".join(e.value.message_dict["outcome"])


def test_registry_changed_behind_the_pipeline_is_refused(cast, new_file, walk):
    from dangjian.members import actions as member_actions

    a = new_file()
    walk(a, 23)
    member = Member.objects.get(pk=a.member_id)
    member_actions.change_status(member, "deceased", reason="病故", on=D(2024, 12, 20))
    with pytest.raises(ValidationError) as e:
        step(cast, a, 24, on=D(2025, 1, 10))
    assert "党员信息库中该预备党员的记录已变化" in " ".join(e.value.message_dict["step"])
    a.refresh_from_db()
    assert a.last_step == 23
