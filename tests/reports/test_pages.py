"""The 党内统计 page, its workbook and its API for every role of the cast: in scope they answer, out of scope and for
a plain member 404; a bad date is named in Chinese."""

import pytest
from django.test import Client
from django.utils import timezone
from python_calamine import CalamineWorkbook

from dangjian.core.models import Event
from tests.factories import api_client as api

ROLES = ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member_user", "outsider"]
# Who reads the figures of branch CA1B1 (the cast's members 张伟 and 李娜): a grant whose view scope holds it.
SEES_B1 = {"city_admin", "county_admin", "town_admin", "secretary1", "viewer"}


def client(user=None):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def test_index_goes_to_ones_top_organization(cast):
    assert client(cast.city_admin).get("/reports/").url == "/reports/members/C/"
    assert client(cast.secretary1).get("/reports/").url == "/reports/members/CA1B1/"
    assert client(cast.viewer).get("/reports/").url == "/reports/members/CA/"
    assert client(cast.member_user).get("/reports/").status_code == 404
    assert client(cast.outsider).get("/reports/").status_code == 404
    assert "/login/" in client().get("/reports/").url


@pytest.mark.parametrize("who", ROLES)
def test_branch_page_by_role(cast, who):
    r = client(getattr(cast, who)).get("/reports/members/CA1B1/")
    if who in SEES_B1:
        assert r.status_code == 200
        assert "党员总数" in r.text and "2 名" in r.text  # 张伟, 李娜
    else:
        assert r.status_code == 404


def test_town_page_lists_its_branches_with_links(cast, django_assert_max_num_queries):
    c = client(cast.town_admin)
    c.get("/reports/members/CA1/")
    with django_assert_max_num_queries(12):
        r = c.get("/reports/members/CA1/")
    assert r.status_code == 200
    assert 'href="/reports/members/CA1B1/"' in r.text and 'href="/reports/members/CA1B2/"' in r.text
    assert "上级" not in r.text  # the county is above the town admin's scope
    county = client(cast.county_admin).get("/reports/members/CA1/")
    assert 'href="/reports/members/CA/"' in county.text


def test_a_past_date_is_kept_in_the_links(cast):
    r = client(cast.county_admin).get("/reports/members/CA/?as_of=2025-12-31")
    assert r.status_code == 200
    assert "截至2025年12月31日（按当日系统中的记录）" in r.text
    assert 'href="/reports/members/CA1/?as_of=2025-12-31"' in r.text
    assert "?as_of=2025-12-31&format=xlsx" in r.text


@pytest.mark.parametrize(("value", "message"), [("2025-02-30", "无效"), ("明天", "无效"), ("2999-01-01", "今天之后")])
def test_a_bad_date_is_named(cast, value, message):
    r = client(cast.county_admin).get("/reports/members/CA/", {"as_of": value})
    assert r.status_code == 400
    assert "统计截止日期" in r.text and message in r.text
    assert "导出 Excel" not in r.text


def test_workbook_has_a_sheet_per_section_and_is_logged(cast, tmp_path):
    r = client(cast.county_admin).get("/reports/members/CA/?format=xlsx")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"".join(r.streaming_content) if r.streaming else r.content)
    wb = CalamineWorkbook.from_path(str(path))
    assert wb.sheet_names == ["党组织和党员基本情况", "党员年龄", "党员入党时间", "党员学历", "本年发展党员和预备党员转正"]
    basic = wb.get_sheet_by_name("党组织和党员基本情况").to_python()
    assert basic[3][:6] == ["党组织编码", "党组织名称", "党委", "党工委", "党总支", "党支部"]
    rows = {row[1]: row for row in basic[4:] if row[1]}
    assert rows[cast.tree.town.name][0] == "CA1"
    total = rows["合计"]
    assert total[2:7] == [2, 0, 0, 2, 3]  # 党委 county + town, 2 branches; 3 members (张伟 李娜 王强)
    event = Event.objects.get(verb="reports.members.export")
    assert event.actor == cast.county_admin and event.detail["as_of"] == timezone.localdate().isoformat()


@pytest.mark.parametrize("who", ROLES)
def test_api_by_role(cast, who):
    r = api(getattr(cast, who)).get("/api/v1/reports/members/", {"org": "CA1B1"})
    if who in SEES_B1:
        assert r.status_code == 200
        body = r.json()
        assert body["org"] == "CA1B1" and body["total"]["total"] == 2 and body["total"]["probationary"] == 1
        assert body["rows"] == [] or body["rows"][0]["name"] == "本级"
        assert [s["key"] for s in body["sections"]] == ["basic", "age", "joined", "education", "year"]
    else:
        assert r.status_code == 404


def test_api_rows_and_errors(cast):
    c = api(cast.city_admin)
    body = c.get("/api/v1/reports/members/", {"org": "C", "as_of": "2025-12-31"}).json()
    assert body["historical"] and body["as_of"] == "2025-12-31"
    # the cast was entered today: on 2025-12-31 the registry held nothing (the rows are today's children)
    assert [r["org"] for r in body["rows"]] == ["CA", "CB"] and body["total"]["total"] == 0
    now = c.get("/api/v1/reports/members/", {"org": "C"}).json()
    assert {r["org"]: r["counts"]["total"] for r in now["rows"]} == {None: 0, "CA": 3, "CB": 1}
    assert now["total"]["female"] == 2  # 李娜, 赵敏
    assert c.get("/api/v1/reports/members/").status_code == 400
    bad = c.get("/api/v1/reports/members/", {"org": "C", "as_of": "2025-13-01"})
    assert bad.status_code == 400 and "统计截止日期" in bad.json()["as_of"][0]
    assert api().get("/api/v1/reports/members/", {"org": "C"}).status_code in (401, 403)
