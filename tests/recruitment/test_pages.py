"""The recruitment pages for the cast: in scope they work, out of scope they answer 404; errors come back
in Chinese next to the field, warnings after saving."""

import datetime as dt

import pytest
from django.test import Client

from dangjian.recruitment import actions
from dangjian.recruitment.models import Applicant, RecruitmentPlan

from .journey import PERSON

D = dt.date


def client(user=None):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def file_b1(cast):
    return actions.open_file(PERSON, org=cast.tree.b1, by=cast.secretary1, applied_on=D(2022, 3, 1))


def test_index_goes_to_the_board_of_ones_top_organization(cast):
    assert client(cast.secretary1).get("/recruitment/").url == "/recruitment/org/CA1B1/"
    assert client(cast.town_admin).get("/recruitment/").url == "/recruitment/org/CA1/"
    assert client(cast.outsider).get("/recruitment/").status_code == 404
    assert "/login/" in client().get("/recruitment/").url


def test_board_of_the_town(cast, file_b1, django_assert_max_num_queries):
    c = client(cast.town_admin)
    c.get("/recruitment/org/CA1/")  # warm the session
    with django_assert_max_num_queries(14):
        r = c.get("/recruitment/org/CA1/")
    html = r.content.decode()
    assert r.status_code == 200 and "陈晨" in html and "已超期" in html and "派人谈话" in html
    assert "城关镇东村党支部" in html  # the branches below, to drill down
    assert client(cast.secretary1).get("/recruitment/org/CA1/").status_code == 404
    assert client(cast.secretary2).get("/recruitment/org/CA1B1/").status_code == 404
    # A plain member sees their branch's page, but not its files: no board of zeros, the board does not exist.
    assert client(cast.member_user).get("/recruitment/org/CA1B1/").status_code == 404
    assert client(cast.member_user).get("/recruitment/").status_code == 404
    assert client(cast.member_user).get("/recruitment/plans/?org=CA1B1").status_code == 404


def test_the_branch_page_links_the_board_only_for_those_who_see_its_files(cast):
    board = 'href="/recruitment/org/CA1B1/"'
    assert board in client(cast.secretary1).get("/orgs/CA1B1/").content.decode()
    assert board in client(cast.viewer).get("/orgs/CA1B1/").content.decode()
    page = client(cast.member_user).get("/orgs/CA1B1/")
    assert page.status_code == 200 and "城关镇东村党支部" in page.content.decode()
    assert board not in page.content.decode()


def test_open_a_file_from_the_form(cast):
    c = client(cast.secretary1)
    assert c.get("/recruitment/new/?org=CA1B1").status_code == 200
    r = c.post("/recruitment/new/", {**PERSON, "org": "CA1B1", "applied_on": "2022-03-01", "gender": ""})
    a = Applicant.objects.get()
    assert r.status_code == 302 and r.url == f"/recruitment/{a.pk}/"


def test_under_age_applicant_is_refused_next_to_the_birth_date(cast):
    from dangjian.core import idcard

    young = idcard.make("370102", D(2010, 1, 1), 31)
    r = client(cast.secretary1).post("/recruitment/new/", {**PERSON, "id_number": young, "org": "CA1B1",
                                                           "applied_on": "2022-03-01", "gender": ""})
    html = r.content.decode()
    assert r.status_code == 200 and "须年满18周岁" in html and "党章 第一条" in html
    field = html.split('id="id_id_number"')[0].rsplit("<input", 1)[1] + html.split('id="id_id_number"')[1][:300]
    assert "is-invalid" in field and "须年满18周岁" in html.split('id="id_id_number"')[1][:600]
    assert not Applicant.objects.exists()


def test_a_step_out_of_order_posted_from_a_stale_page_is_refused(cast, file_b1):
    r = client(cast.secretary1).post(f"/recruitment/{file_b1.pk}/", {"step": "5", "on": "2022-03-20"}, follow=True)
    assert "现在应办理第2步“党组织派人谈话”，不能办理第5步" in r.content.decode()
    file_b1.refresh_from_db()
    assert file_b1.last_step == 1 and file_b1.steps.count() == 1


def test_new_file_form_is_not_for_viewers(cast):
    assert client(cast.viewer).get("/recruitment/new/").status_code == 404
    assert client(cast.outsider).post("/recruitment/new/", {**PERSON, "org": "CA1B1"}).status_code == 404


def test_file_page_shows_the_25_steps_and_the_next_form(cast, file_b1):
    r = client(cast.secretary1).get(f"/recruitment/{file_b1.pk}/")
    html = r.content.decode()
    assert r.status_code == 200 and "办理 第2步：党组织派人谈话" in html
    assert "25. 材料归档" in html and "370102********" in html
    assert client(cast.viewer).get(f"/recruitment/{file_b1.pk}/").status_code == 200
    assert "办理 第2步" not in client(cast.viewer).get(f"/recruitment/{file_b1.pk}/").content.decode()
    assert client(cast.secretary2).get(f"/recruitment/{file_b1.pk}/").status_code == 404
    assert client(cast.outsider).get(f"/recruitment/{file_b1.pk}/").status_code == 404


def test_a_late_talk_is_refused_on_the_page(cast, file_b1):
    r = client(cast.secretary1).post(f"/recruitment/{file_b1.pk}/", {"step": "2", "on": "2022-05-01"})
    html = r.content.decode()
    assert r.status_code == 200 and "细则 第八条" in html and "is-invalid" in html
    file_b1.refresh_from_db()
    assert file_b1.last_step == 1


def test_a_step_saved_from_the_page(cast, file_b1):
    r = client(cast.secretary1).post(f"/recruitment/{file_b1.pk}/", {"step": "2", "on": "2022-03-20",
                                                                      "handled_by": "张伟"}, follow=True)
    html = r.content.decode()
    assert r.redirect_chain[0][1] == 302 and "已记录第2步“党组织派人谈话”" in html
    assert "办理 第3步：推荐和确定入党积极分子" in html
    file_b1.refresh_from_db()
    assert file_b1.last_step == 2


def test_a_soft_warning_is_shown_after_saving(cast, file_b1, walk):
    walk(file_b1, 16)
    r = client(cast.town_admin).post(f"/recruitment/{file_b1.pk}/", {"step": "17", "on": "2024-03-15"}, follow=True)
    html = r.content.decode()
    assert "提醒：审批日期（2024-03-15）超过3个月" in html and "须属特殊情况" in html


def test_a_viewer_cannot_post_a_step(cast, file_b1):
    assert client(cast.viewer).post(f"/recruitment/{file_b1.pk}/", {"step": "2", "on": "2022-03-20"}).status_code == 404
    file_b1.refresh_from_db()
    assert file_b1.last_step == 1


def test_the_committees_step_is_shown_as_theirs_to_the_secretary(cast, file_b1, walk):
    walk(file_b1, 3)
    html = client(cast.secretary1).get(f"/recruitment/{file_b1.pk}/").content.decode()
    assert "由东县城关镇党委办理" in html
    r = client(cast.secretary1).post(f"/recruitment/{file_b1.pk}/", {"step": "4", "on": "2022-09-10"})
    assert r.status_code == 302
    file_b1.refresh_from_db()
    assert file_b1.last_step == 3
    assert client(cast.town_admin).post(f"/recruitment/{file_b1.pk}/", {"step": "4", "on": "2022-09-10"}).status_code == 302


def test_plans_page(cast):
    c = client(cast.town_admin)
    r = c.get("/recruitment/plans/?org=CA1&year=2025")
    assert r.status_code == 200 and "制定或调整计划" in r.content.decode()
    r = c.post("/recruitment/plans/?org=CA1", {"scope_org": "CA1", "org": "CA1B1", "year": "2025", "planned": "3"})
    assert r.status_code == 302 and RecruitmentPlan.objects.get().planned == 3
    html = client(cast.secretary1).get("/recruitment/plans/?year=2025").content.decode()
    assert "城关镇东村党支部" in html and "制定或调整计划" not in html
    assert client(cast.secretary1).post("/recruitment/plans/", {"org": "CA1B1", "year": "2025",
                                                                "planned": "9"}).status_code == 404
    assert client(cast.outsider).get("/recruitment/plans/").status_code == 404
    assert client(cast.secretary2).get("/recruitment/plans/?org=CA1B1").status_code == 404


def test_file_page_query_count_does_not_grow_with_the_steps(cast, file_b1, walk, django_assert_max_num_queries):
    walk(file_b1, 25)
    c = client(cast.secretary1)
    c.get(f"/recruitment/{file_b1.pk}/")
    with django_assert_max_num_queries(10):
        r = c.get(f"/recruitment/{file_b1.pk}/")
    assert "发展程序已全部完成" in r.content.decode() and r.content.decode().count("bi-check2 text-success") == 26
