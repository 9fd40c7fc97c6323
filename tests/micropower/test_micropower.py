"""小微权力清单: an admin above keeps the list of powers and their steps; a village runs each case through the
steps in order with dates and responsible people; /gk/{code}/ shows the progress with the applicant masked."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from dangjian.micropower import actions
from dangjian.micropower.models import Case, CaseStatus, Power, mask_name
from tests.disclosure.test_public import crawl

D = dt.date
ROLES = ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member_user", "outsider"]


def login(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def powers(cast):
    actions.install_defaults(cast.tree.county, by=cast.county_admin)
    return {p.name: p for p in Power.objects.all()}


@pytest.fixture
def case(cast, powers):
    return actions.open_case(cast.tree.b1, powers["低保申请"], {"subject": "2025年低保申请（第三村民小组）",
                                                              "applicant": "张三丰", "opened_on": "2025-03-01"},
                             by=cast.secretary1)


def test_default_list_has_the_common_powers_with_steps(powers):
    assert {"低保申请", "宅基地审批", "集体资产处置", "村级工程项目"} <= set(powers)
    steps = [s.name for s in powers["集体资产处置"].steps.all()]
    assert steps[:4] == ["村党组织提议", "村“两委”商议", "党员大会审议", "村民代表会议决议"]


def test_names_are_masked():
    assert mask_name("张三") == "张*" and mask_name("欧阳娜娜") == "欧***" and mask_name("") == ""


def test_steps_go_in_order_with_dates_that_never_go_back(case):
    with pytest.raises(ValidationError, match="请按顺序办理"):
        actions.record_step(case, 2, done_on="2025-03-02", responsible="村委会")
    with pytest.raises(ValidationError, match="不能早于"):
        actions.record_step(case, 1, done_on="2025-02-01", responsible="申请人")
    actions.record_step(case, 1, done_on="2025-03-01", responsible="申请人")
    with pytest.raises(ValidationError, match="身份证号或手机号码"):
        actions.record_step(case, 2, done_on="2025-03-05", responsible="村委会主任 13800001111")
    for n in range(2, 7):
        actions.record_step(case, n, done_on=D(2025, 3, n + 3), responsible="村委会主任 王某")
    case.refresh_from_db()
    assert case.status == CaseStatus.DONE and case.closed_on == D(2025, 3, 9)


def test_list_edits_do_not_rewrite_running_cases(cast, powers, case):
    p = powers["低保申请"]
    actions.save_power(cast.tree.county, {"name": "低保申请"}, [{"name": "只剩一步", "responsible": "村委会"}], power=p)
    assert case.steps.count() == 6


def test_a_power_of_another_county_does_not_apply(cast, powers):
    with pytest.raises(ValidationError, match="不在"):
        actions.open_case(cast.tree.b3, powers["低保申请"], {"subject": "x", "opened_on": "2025-01-01"})


def test_public_page_shows_progress_with_the_applicant_masked(cast, case):
    actions.record_step(case, 1, done_on="2025-03-01", responsible="申请人")
    html = Client().get("/gk/CA1B1/").content.decode()
    assert "小微权力运行" in html and "2025年低保申请（第三村民小组）" in html and "张**" in html
    assert "张三丰" not in html and "当前：村民委员会入户调查" in html
    actions.refuse(case, reason="家庭收入超过低保标准")
    assert "不予办理" in Client().get("/gk/CA1B1/").content.decode()


def test_private_cases_stay_off_the_public_page(cast, powers):
    actions.open_case(cast.tree.b1, powers["宅基地审批"], {"subject": "不公开的事项", "opened_on": "2025-03-01",
                                                            "public": False})
    assert "不公开的事项" not in Client().get("/gk/CA1B1/").content.decode()


def test_crawl_of_public_pages_with_cases_finds_no_personal_data(cast, case):
    actions.record_step(case, 1, done_on="2025-03-01", responsible="申请人")
    pages = crawl(cast, ["/gk/CA1B1/"], secrets=("张三丰",))
    assert any("张**" in html for html in pages.values())


@pytest.mark.parametrize("role", ROLES)
def test_case_pages_by_role(cast, case, role):
    c = login(getattr(cast, role))
    sees = role in {"city_admin", "county_admin", "town_admin", "secretary1", "viewer"}
    assert ("2025年低保申请" in c.get("/micropower/").content.decode()) == sees
    assert c.get(f"/micropower/{case.pk}/").status_code == (200 if sees else 404)
    writes = role in {"city_admin", "county_admin", "town_admin", "secretary1"}
    r = c.post(f"/micropower/{case.pk}/", {"position": 1, "done_on": "2025-03-02", "responsible": "申请人"})
    assert r.status_code == (302 if writes else 404)
    r = c.get("/micropower/new/", {"org": "CA1B1"})
    assert r.status_code == (200 if writes else 404)


def test_secretary_opens_a_case_from_the_form(cast, powers):
    c = login(cast.secretary1)
    r = c.post("/micropower/new/", {"org": "CA1B1", "power": powers["村级工程项目"].pk, "subject": "村道硬化",
                                    "opened_on": "2025-04-01", "public": "on"})
    assert r.status_code == 302
    assert Case.objects.get(subject="村道硬化").steps.count() == 9
    r = c.post("/micropower/new/", {"org": "CA1B1", "power": "", "subject": "", "opened_on": ""})
    assert r.status_code == 200 and "请填写事项名称" in r.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_power_pages_by_role(cast, powers, role):
    c = login(getattr(cast, role))
    reads = role in {"city_admin", "county_admin", "viewer"}
    assert c.get("/micropower/powers/", {"org": "CA"}).status_code == (200 if reads else 404)
    edits = role in {"city_admin", "county_admin"}
    p = powers["低保申请"]
    assert c.get(f"/micropower/powers/{p.pk}/").status_code == (200 if edits else 404)
    assert c.get("/micropower/powers/new/", {"org": "CA"}).status_code == (200 if edits else 404)
    assert c.post("/micropower/powers/install/", {"org": "CA"}).status_code == (302 if edits else 404)


def test_admin_edits_the_steps_of_a_power(cast, powers):
    p = powers["宅基地审批"]
    r = login(cast.county_admin).post(f"/micropower/powers/{p.pk}/", {
        "name": "宅基地审批", "steps": "农户申请|申请户\n村级审查|村民委员会|7\n乡镇审批|乡镇人民政府|20", "active": "on"})
    assert r.status_code == 302
    assert [(s.name, s.days) for s in p.steps.all()] == [("农户申请", None), ("村级审查", 7), ("乡镇审批", 20)]
    r = login(cast.county_admin).post(f"/micropower/powers/{p.pk}/", {"name": "宅基地审批", "steps": "x|y|999"})
    assert r.status_code == 200 and "时限应为1至365天" in r.content.decode()


def test_login_required():
    assert Client().get("/micropower/").status_code == 302
