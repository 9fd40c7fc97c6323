"""From 入党申请书 to 材料归档: the file moves through the stages and the registry follows it."""

import datetime as dt

from dangjian.core.models import Event
from dangjian.members.models import Member
from dangjian.recruitment.models import Stage, StepRecord

from .journey import GOOD

D = dt.date


def test_opening_a_file_records_step_one_and_the_talk_deadline(cast, new_file):
    a = new_file(document_no="申请书 001")
    assert a.stage == Stage.APPLICANT and a.last_step == 1
    assert a.birth_date == D(2000, 5, 4) and a.gender == "M"  # from the ID number
    assert a.next_due_on == D(2022, 4, 1) and "谈话" in a.next_due_label
    assert list(a.steps.values_list("number", "on")) == [(1, D(2022, 3, 1))]
    assert Event.objects.filter(verb="recruitment.open", object_id=str(a.pk)).exists()


def test_every_step_in_order_makes_a_full_member(cast, new_file, walk):
    a = new_file()
    walk(a, 14)
    assert a.stage == Stage.CANDIDATE and a.activist_on == D(2022, 9, 1) and a.candidate_on == D(2023, 9, 5)
    assert a.member is None and not Member.objects.filter(id_number=a.id_number).exists()

    walk(a, 15)
    m = Member.objects.get(id_number=a.id_number)
    assert a.stage == Stage.PROBATIONARY and a.member == m
    assert (m.category, m.joined_on, m.confirmed_on, m.org) == ("probationary", D(2023, 12, 1), None, cast.tree.b1)
    assert a.next_due_on == D(2024, 3, 1)  # approval within three months of the 支部大会

    walk(a, 23)
    m.refresh_from_db()
    assert m.category == "probationary"  # 转正 takes effect with the 党委's approval
    walk(a, 25)
    m.refresh_from_db()
    # 党龄 counts from the end of the 预备期 (支部大会 + 1 year), not from the approval
    assert (m.category, m.confirmed_on) == ("full", D(2024, 12, 1))
    assert a.stage == Stage.FULL and a.confirmed_on == D(2024, 12, 1) and a.last_step == 25
    assert a.next_due_on is None
    assert StepRecord.objects.filter(applicant=a).count() == 26  # two assessments at step 6
    assert Event.objects.filter(verb="recruitment.step", object_id=str(a.pk)).count() == 25


def test_member_counters_follow_the_pipeline(cast, new_file, walk):
    b1 = cast.tree.b1
    b1.refresh_from_db()
    full, prob = b1.direct_full, b1.direct_probationary
    a = new_file()
    walk(a, 15)
    b1.refresh_from_db()
    assert (b1.direct_full, b1.direct_probationary) == (full, prob + 1)
    walk(a, 24)
    b1.refresh_from_db()
    assert (b1.direct_full, b1.direct_probationary) == (full + 1, prob)


def test_votes_are_stored_with_the_step(cast, new_file, walk):
    a = new_file()
    rec, warnings = walk(a, 15)
    assert (rec.eligible, rec.present, rec.yes, rec.no) == (10, 8, 7, 1)
    assert GOOD[15]["on"] == rec.on and warnings == []
