"""The demo city has recruitment files at every stage, and its registry agrees with them."""

import datetime as dt

import pytest

from dangjian.demo import loader
from dangjian.demo.generator import generate
from dangjian.members.models import Member
from dangjian.recruitment.models import Applicant, RecruitmentPlan

TODAY = dt.date(2025, 6, 30)


@pytest.mark.django_db
def test_demo_files_at_every_stage_agree_with_the_registry():
    summary = loader.load(generate(seed=3, size="small", today=TODAY))
    files = list(Applicant.objects.select_related("member"))
    assert summary["recruitment_files"] == len(files) >= 10
    assert {a.stage for a in files} >= {"applicant", "activist", "candidate", "probationary", "full"}
    for a in files:
        if a.last_step >= 15:
            assert a.member is not None and a.member.joined_on == a.congress_on
            assert a.member.category == ("full" if a.stage == "full" else "probationary")
        else:
            assert a.member is None and not Member.objects.filter(id_number=a.id_number).exists()
    assert summary["members"] == Member.objects.count()
    secretary1_branch = Member.objects.get(user__username="secretary1").org
    assert Applicant.objects.filter(org=secretary1_branch).count() == 4
    assert RecruitmentPlan.objects.filter(year=2025).count() == 2
