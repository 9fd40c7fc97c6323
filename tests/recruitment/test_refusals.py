"""Bad input is refused with a Chinese message naming the rule and its source; nothing is half done."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dangjian.core import idcard
from dangjian.members.models import Member
from dangjian.recruitment import actions
from dangjian.recruitment.models import Applicant, StepRecord
from tests.factories import make_member, make_org

from .journey import GOOD, by_for

D = dt.date


def refused(call, field):
    with pytest.raises(ValidationError) as e:
        call()
    assert field in e.value.message_dict, e.value.message_dict
    return " ".join(e.value.message_dict[field])


def step(cast, a, n, **data):
    a.refresh_from_db()
    return actions.record_step(a, n, data or GOOD[n], by=by_for(cast, n))


# --- opening a file ---

def test_applicant_under_18_is_refused_with_the_party_constitution(cast, new_file):
    young = idcard.make("370102", D(2004, 3, 2), 31)
    msg = refused(lambda: new_file(person={"id_number": young}), "birth_date")
    assert "年满18周岁" in msg and "党章 第一条" in msg
    assert not Applicant.objects.exists()


def test_applicant_is_18_on_the_birthday(cast, new_file):
    a = new_file(person={"id_number": idcard.make("370102", D(2004, 3, 1), 31)})
    assert a.last_step == 1


def test_bad_id_number_names_the_field(cast, new_file):
    assert "18位" in refused(lambda: new_file(person={"id_number": "12345"}), "id_number")


def test_gender_must_match_the_id_number(cast, new_file):
    assert "性别与公民身份号码不符" in refused(lambda: new_file(person={"gender": "F"}), "gender")


def test_a_second_open_file_for_the_same_person_is_refused(cast, new_file):
    new_file()
    assert "已有一份正在进行" in refused(lambda: new_file(org=cast.tree.b2, by=cast.town_admin), "id_number")


def test_a_registered_member_cannot_apply(cast, new_file):
    assert "已登记为" in refused(lambda: new_file(person={"id_number": cast.m1.id_number, "name": "张伟"}), "id_number")


def test_only_a_branch_takes_applications(cast, new_file):
    assert "应递交给党支部" in refused(lambda: new_file(org=cast.tree.town, by=cast.town_admin), "org")
    temp = make_org("CA1T", "城关镇项目临时党支部", "temp_branch", parent=cast.tree.town)
    assert "临时党支部不能发展党员" in refused(lambda: new_file(org=temp, by=cast.town_admin), "org")


def test_future_application_date_is_refused(cast, new_file):
    assert "不能晚于今天" in refused(lambda: new_file(applied_on=timezone.localdate() + dt.timedelta(days=3)), "applied_on")


def test_secretary_cannot_open_a_file_in_another_branch(cast, new_file):
    with pytest.raises(PermissionDenied):
        new_file(org=cast.tree.b2, by=cast.secretary1)


# --- order ---

def test_steps_out_of_order_are_refused_naming_the_next_step(cast, new_file):
    a = new_file()
    msg = refused(lambda: step(cast, a, 3), "step")
    assert "现在应办理第2步“党组织派人谈话”" in msg and "细则" in msg
    assert a.steps.count() == 1


def test_a_date_before_the_previous_step_is_refused(cast, new_file):
    a = new_file()
    msg = refused(lambda: step(cast, a, 2, on=D(2022, 2, 27)), "on")
    assert "早于上一步骤的日期" in msg


def test_assessments_repeat_but_other_steps_do_not(cast, new_file, walk):
    a = new_file()
    walk(a, 6)
    step(cast, a, 6, on=D(2023, 8, 1))
    assert a.steps.filter(number=6).count() == 2
    a.refresh_from_db()
    assert actions.allowed_steps(a) == [6, 7]
    walk(a, 8)
    assert "现在应办理第9步" in refused(lambda: step(cast, a, 8), "step")


# --- the rules at each step ---

def test_talk_later_than_one_month_is_refused(cast, new_file):
    a = new_file()
    msg = refused(lambda: step(cast, a, 2, on=D(2022, 4, 2)), "on")
    assert "一个月" in msg and "细则 第八条" in msg


def test_talk_on_the_last_day_of_the_month_is_kept(cast, new_file):
    a = new_file()
    rec, warnings = step(cast, a, 2, on=D(2022, 4, 1))
    assert rec.number == 2 and warnings == []


def test_one_contact_or_two_but_full_members(cast, new_file, walk, sponsors):
    a = new_file()
    walk(a, 4)
    assert "1至2名" in refused(lambda: step(cast, a, 5, on=D(2022, 9, 15), people=[]), "people")
    msg = refused(lambda: step(cast, a, 5, on=D(2022, 9, 15), people=[cast.m2]), "people")  # m2 is 预备党员
    assert "正式党员" in msg


def test_candidate_before_a_full_year_as_activist_is_refused(cast, new_file, walk):
    a = new_file()
    walk(a, 6)
    msg = refused(lambda: step(cast, a, 7, on=D(2023, 8, 31)), "on")
    assert "一年以上" in msg and "最早2023-09-01" in msg


def test_candidate_needs_an_assessment_every_half_year(cast, new_file, walk):
    a = new_file()
    walk(a, 5)
    step(cast, a, 6, on=D(2023, 2, 20))  # first half only; the second half (to 2023-09-01) has none
    msg = refused(lambda: step(cast, a, 7, on=D(2023, 9, 5)), "on")
    assert "2023-03-01至2023-09-01这半年没有" in msg and "细则 第十一条" in msg


def test_two_sponsors_who_are_full_members(cast, new_file, walk, sponsors):
    a = new_file()
    walk(a, 8)
    msg = refused(lambda: step(cast, a, 9, on=D(2023, 9, 12), people=sponsors[:1]), "people")
    assert "应有2名入党介绍人" in msg and "细则 第十四条" in msg
    msg = refused(lambda: step(cast, a, 9, on=D(2023, 9, 12), people=[sponsors[0], cast.m2]), "people")
    assert "预备党员不能作入党介绍人" in msg


def test_training_of_3_days_or_24_hours(cast, new_file, walk):
    a = new_file()
    walk(a, 10)
    msg = refused(lambda: step(cast, a, 11, on=D(2023, 10, 15), training_days=2, training_hours=16), "training_days")
    assert "不少于3天或24个学时" in msg
    rec, _ = step(cast, a, 11, on=D(2023, 10, 15), training_hours=24)
    assert rec.training_hours == 24


def test_the_application_form_number_is_required(cast, new_file, walk):
    a = new_file()
    walk(a, 13)
    assert "入党志愿书编号" in refused(lambda: step(cast, a, 14, on=D(2023, 11, 15)), "document_no")


def test_congress_without_quorum_is_refused_and_creates_no_member(cast, new_file, walk):
    a = new_file()
    walk(a, 14)
    msg = refused(lambda: step(cast, a, 15, on=D(2023, 12, 1), eligible=10, present=5, yes=5), "present")
    assert "未超过半数" in msg and "发展党员工作细则 第二十条" in msg
    assert not Member.objects.filter(id_number=a.id_number).exists()
    a.refresh_from_db()
    assert a.last_step == 14 and not a.steps.filter(number=15).exists()


def test_congress_vote_that_does_not_pass_is_refused(cast, new_file, walk):
    a = new_file()
    walk(a, 14)
    msg = refused(lambda: step(cast, a, 15, on=D(2023, 12, 1), eligible=10, present=8, yes=5, no=3), "yes")
    assert "未通过" in msg and "不能接收为预备党员" in msg


def test_nothing_half_done_when_the_member_record_cannot_be_made(cast, new_file, walk):
    """Someone registered the same person as a member meanwhile: the 支部大会 step is refused whole."""
    a = new_file()
    walk(a, 14)
    make_member(cast.tree.b3, "陈晨", birth=D(2000, 5, 4), id_number=a.id_number, joined=D(2023, 7, 1),
                confirmed=D(2024, 7, 1))
    before = StepRecord.objects.count()
    msg = refused(lambda: step(cast, a, 15), "on")
    assert msg.startswith("建立党员档案失败") and "已登记为" in msg
    a.refresh_from_db()
    assert (a.last_step, a.member_id, a.stage) == (14, None, "candidate")
    assert StepRecord.objects.count() == before


def test_approval_after_three_months_warns_and_after_six_is_refused(cast, new_file, walk):
    a = new_file()
    walk(a, 16)
    msg = refused(lambda: step(cast, a, 17, on=D(2024, 6, 2)), "on")
    assert "超过6个月" in msg and "重新履行接收预备党员手续" in msg
    rec, warnings = step(cast, a, 17, on=D(2024, 3, 15))
    assert [w["code"] for w in warnings] == ["recruitment.approval_late"]
    rec.refresh_from_db()
    assert rec.warnings[0]["source"].startswith("细则")


def test_conversion_may_not_be_discussed_before_the_probation_ends(cast, new_file, walk):
    a = new_file()
    walk(a, 22)
    msg = refused(lambda: step(cast, a, 23, on=D(2024, 11, 30), outcome="convert", eligible=10, present=9, yes=9), "on")
    assert "预备期到2024-12-01才满" in msg and "细则 第三十二条" in msg


def test_conversion_discussed_late_warns(cast, new_file, walk):
    a = new_file()
    walk(a, 22)
    _, warnings = step(cast, a, 23, on=D(2025, 3, 10), outcome="convert", eligible=10, present=9, yes=9)
    assert [w["code"] for w in warnings] == ["recruitment.conversion_meeting_late"]


def test_branch_secretary_cannot_do_the_committees_steps(cast, new_file, walk):
    a = new_file()
    walk(a, 3)
    with pytest.raises(PermissionDenied, match="城关镇党委"):
        actions.record_step(a, 4, GOOD[4], by=cast.secretary1)
    with pytest.raises(PermissionDenied):
        actions.record_step(a, 4, GOOD[4], by=cast.secretary2)
    actions.record_step(a, 4, GOOD[4], by=cast.town_admin)


def test_viewer_cannot_record_steps(cast, new_file):
    a = new_file()
    with pytest.raises(PermissionDenied):
        actions.record_step(a, 2, GOOD[2], by=cast.viewer)


def test_a_mobile_number_a_digit_short_is_refused_when_the_file_is_opened(cast, new_file, walk):
    """The 预备党员's record is made from the file: its phone is checked as the member form checks it, once, when the
    file is opened; a number kept on an older file does not stop the 支部大会's admission."""
    assert refused(lambda: new_file(person={"phone": "1390000123"}), "phone") == \
        "“1390000123”是10位，手机号码应为11位，请核对"
    assert not Applicant.objects.exists()
    a = new_file()
    Applicant.objects.filter(pk=a.pk).update(phone="1390000123")  # opened before the check existed
    a.refresh_from_db()
    walk(a, 15)
    assert Member.objects.get(id_number=a.id_number).phone == "1390000123"
