"""Permission matrix of /api/v1/recruitment/ for every role of the cast, in and out of scope, and the
answers a script gets: 201 with warnings, 400 with the rule's Chinese message, 403 for a 党委's step."""

import datetime as dt

import pytest

from dangjian.core import idcard
from dangjian.recruitment import actions
from dangjian.recruitment.models import Applicant, RecruitmentPlan
from tests.factories import api_client as api

from .journey import PERSON

D = dt.date
URL = "/api/v1/recruitment/"
ROLES = ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member_user", "outsider"]
MANAGE_B1 = {"city_admin", "county_admin", "town_admin", "secretary1"}
VIEW_B1 = MANAGE_B1 | {"viewer"}
ADMINS_B1 = {"city_admin", "county_admin", "town_admin"}


@pytest.fixture
def file_b1(cast):
    return actions.open_file(PERSON, org=cast.tree.b1, by=cast.secretary1, applied_on=D(2022, 3, 1))


@pytest.mark.parametrize("who", ROLES)
def test_list_and_detail(cast, file_b1, who):
    user = getattr(cast, who)
    listed = api(user).get(URL + "applicants/")
    assert listed.status_code == 200
    assert listed.json()["count"] == (1 if who in VIEW_B1 else 0)
    r = api(user).get(f"{URL}applicants/{file_b1.pk}/")
    assert r.status_code == (200 if who in VIEW_B1 else 404)
    if r.status_code == 200:
        body = r.json()
        assert body["steps"][0]["name"] == "递交入党申请书" and body["next_steps"] == [2]
        assert body["id_number"].count("*") == 8  # masked


@pytest.mark.parametrize("who", ROLES)
def test_open_a_file_in_b1(cast, who):
    body = {**PERSON, "org": "CA1B1", "applied_on": "2022-03-01"}
    r = api(getattr(cast, who)).post(URL + "applicants/", body, format="json")
    if who in MANAGE_B1:
        assert r.status_code == 201, r.content
        assert r.json()["stage"] == "applicant" and r.json()["birth_date"] == "2000-05-04"
    elif who == "secretary2":
        assert r.status_code == 400 and "无权在该党组织操作" in r.json()["org"][0]
    else:
        assert r.status_code == 403
    assert Applicant.objects.count() == (1 if who in MANAGE_B1 else 0)


def test_open_a_file_with_a_bad_id_number_names_the_field(cast):
    body = {**PERSON, "id_number": idcard.make("370102", D(2000, 5, 4), 21)[:17] + "0", "org": "CA1B1",
            "applied_on": "2022-03-01"}
    r = api(cast.secretary1).post(URL + "applicants/", body, format="json")
    assert r.status_code == 400 and "校验" in r.json()["id_number"][0]


@pytest.mark.parametrize("who", ROLES)
def test_record_the_talk(cast, file_b1, who):
    r = api(getattr(cast, who)).post(f"{URL}applicants/{file_b1.pk}/steps/",
                                     {"step": 2, "on": "2022-03-20", "handled_by": "张伟"}, format="json")
    assert r.status_code == (201 if who in MANAGE_B1 else 404), r.content
    file_b1.refresh_from_db()
    assert file_b1.last_step == (2 if who in MANAGE_B1 else 1)
    if r.status_code == 201:
        assert r.json()["record"]["name"] == "党组织派人谈话" and r.json()["warnings"] == []
        assert r.json()["applicant"]["next_steps"] == [3]


def test_anonymous_gets_401(file_b1):
    assert api().get(URL + "applicants/").status_code == 401
    assert api().post(f"{URL}applicants/{file_b1.pk}/steps/", {"step": 2, "on": "2022-03-20"}).status_code == 401
    assert api().get(URL + "board/?org=CA1").status_code == 401


def test_hard_rule_answers_400_with_the_source(cast, file_b1):
    r = api(cast.secretary1).post(f"{URL}applicants/{file_b1.pk}/steps/", {"step": 2, "on": "2022-05-01"}, format="json")
    assert r.status_code == 400
    assert "细则 第八条" in r.json()["on"][0]
    r = api(cast.secretary1).post(f"{URL}applicants/{file_b1.pk}/steps/", {"step": 5, "on": "2022-05-01"}, format="json")
    assert r.status_code == 400 and "现在应办理第2步" in r.json()["step"][0]


def test_a_committee_step_by_the_branch_is_403(cast, file_b1, walk):
    walk(file_b1, 3)
    r = api(cast.secretary1).post(f"{URL}applicants/{file_b1.pk}/steps/", {"step": 4, "on": "2022-09-10"}, format="json")
    assert r.status_code == 403 and "城关镇党委" in r.json()["detail"]
    r = api(cast.town_admin).post(f"{URL}applicants/{file_b1.pk}/steps/", {"step": 4, "on": "2022-09-10"}, format="json")
    assert r.status_code == 201


def test_sponsors_by_member_id_must_be_visible(cast, file_b1, walk, sponsors):
    walk(file_b1, 8)
    url = f"{URL}applicants/{file_b1.pk}/steps/"
    r = api(cast.secretary1).post(url, {"step": 9, "on": "2023-09-12", "people": [sponsors[0].pk, cast.m4.pk]},
                                  format="json")
    assert r.status_code == 400 and "党员不存在" in r.json()["people"][0]
    r = api(cast.secretary1).post(url, {"step": 9, "on": "2023-09-12", "people": [s.pk for s in sponsors]},
                                  format="json")
    assert r.status_code == 201 and sorted(r.json()["record"]["people"]) == sorted(s.pk for s in sponsors)


@pytest.mark.parametrize("who", ROLES)
def test_set_a_plan(cast, who):
    r = api(getattr(cast, who)).post(URL + "plans/", {"org": "CA1B1", "year": 2025, "planned": 2}, format="json")
    if who in ADMINS_B1:
        assert r.status_code == 201 and r.json()["planned"] == 2 and r.json()["used"] == 0
    else:
        assert r.status_code == 403
    assert RecruitmentPlan.objects.count() == (1 if who in ADMINS_B1 else 0)


def test_a_plan_outside_the_scope_is_400(cast):
    r = api(cast.town_admin).post(URL + "plans/", {"org": "CB01", "year": 2025, "planned": 2}, format="json")
    assert r.status_code == 400 and "org" in r.json()


@pytest.mark.parametrize("who", ROLES)
def test_plans_list(cast, who):
    actions.set_plan(cast.tree.b1, 2025, 2, by=cast.town_admin)
    r = api(getattr(cast, who)).get(URL + "plans/?year=2025")
    assert r.status_code == 200 and r.json()["count"] == (1 if who in VIEW_B1 else 0)


@pytest.mark.parametrize("who", ROLES)
def test_board_of_the_town(cast, file_b1, who):
    r = api(getattr(cast, who)).get(URL + "board/?org=CA1")
    assert r.status_code == (200 if who in {"city_admin", "county_admin", "town_admin", "viewer"} else 404)
    if r.status_code == 200:
        body = r.json()
        assert body["open_total"] == 1 and body["stages"][0] == {"stage": "applicant", "label": "入党申请人", "count": 1}
        assert body["due"][0]["next_due_label"].startswith("派人谈话") and body["due"][0]["overdue"] is True


def test_board_of_the_branch_for_its_secretary(cast, file_b1):
    assert api(cast.secretary1).get(URL + "board/?org=CA1B1").json()["open_total"] == 1
    assert api(cast.secretary2).get(URL + "board/?org=CA1B1").status_code == 404
    assert api(cast.member_user).get(URL + "board/?org=CA1B1").status_code == 404  # their branch, not its files
    assert api(cast.secretary1).get(URL + "board/").status_code == 400


def test_list_query_count_does_not_grow_with_the_files(cast, django_assert_max_num_queries):
    for n in range(5):
        person = {**PERSON, "name": f"申请人{n}", "id_number": idcard.make("370102", D(1999, 1, n + 1), 41 + 2 * n)}
        actions.open_file(person, org=cast.tree.b1, by=cast.secretary1, applied_on=D(2022, 3, 1))
    c = api(cast.town_admin)
    with django_assert_max_num_queries(4):  # user/grants, count, page
        r = c.get(URL + "applicants/?org=CA1")
    assert r.json()["count"] == 5
