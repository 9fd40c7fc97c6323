"""The organization pages and the home dashboard, for each role of the cast.

Scope: out of scope answers 404; only change_org may change the tree; every write goes through
orgs.actions and its Chinese messages come back next to the fields.
"""

import datetime as dt

import pytest
from django.urls import reverse

from dangjian.core.models import Event
from dangjian.members.models import Member
from dangjian.orgs import actions
from dangjian.orgs.models import Org
from tests.factories import make_org

pytestmark = pytest.mark.django_db


def client_for(client, user):
    client.force_login(user)
    return client


def detail(code):
    return reverse("orgs:detail", kwargs={"code": code})


# ------------------------------------------------------------------ who sees what

@pytest.mark.parametrize("who, code, status", [
    ("city_admin", "CB01", 200),
    ("county_admin", "CA1B1", 200),
    ("county_admin", "CB01", 404),
    ("county_admin", "C", 404),
    ("town_admin", "CA1", 200),
    ("town_admin", "CA", 404),
    ("secretary1", "CA1B1", 200),
    ("secretary1", "CA1B2", 404),
    ("secretary1", "CA1", 404),
    ("viewer", "CA1", 200),
    ("viewer", "CB", 404),
    ("member_user", "CA1B1", 200),
    ("member_user", "CA1B2", 404),
    ("outsider", "CA1B1", 404),
])
def test_org_page_and_history_follow_scope(client, cast, who, code, status):
    c = client_for(client, getattr(cast, who))
    assert c.get(detail(code)).status_code == status
    assert c.get(reverse("orgs:history", kwargs={"code": code})).status_code == status
    assert c.get(reverse("orgs:children", kwargs={"code": code})).status_code == status


def test_anonymous_is_sent_to_login(client, cast):
    for url in (reverse("home"), reverse("orgs:tree"), detail("CA1"), reverse("orgs:autocomplete")):
        resp = client.get(url)
        assert resp.status_code == 302 and "/login/" in resp["Location"]


@pytest.mark.parametrize("who", ["viewer", "secretary1", "member_user", "outsider"])
def test_change_pages_are_404_without_change_org(client, cast, who):
    c = client_for(client, getattr(cast, who))
    term = actions.add_term(cast.tree.b1, elected_on=dt.date(2024, 1, 10))
    cm = actions.add_committee_member(term, name="张伟", position="secretary", started_on=dt.date(2024, 1, 10))
    urls = [
        reverse("orgs:create") + "?parent=CA1",
        reverse("orgs:create"),
        reverse("orgs:edit", kwargs={"code": "CA1B1"}),
        reverse("orgs:move", kwargs={"code": "CA1B1"}),
        reverse("orgs:delete", kwargs={"code": "CA1B1"}),
        reverse("orgs:term_new", kwargs={"code": "CA1B1"}),
        reverse("orgs:committee_new", kwargs={"code": "CA1B1"}),
        reverse("orgs:committee_end", kwargs={"code": "CA1B1", "pk": cm.pk}),
    ]
    for url in urls:
        assert c.get(url).status_code == 404, url
        assert c.post(url, {"name": "x", "code": "X1", "reason": "x", "parent": "CA1"}).status_code == 404, url
    assert Org.objects.filter(code="X1").count() == 0
    assert Org.objects.get(code="CA1B1").name == "城关镇东村党支部"


def test_edit_buttons_only_for_those_who_may_edit(client, cast):
    page = client_for(client, cast.secretary1).get(detail("CA1B1")).content.decode()
    assert "编辑" not in page and "录入换届" not in page and "党员名单" in page
    page = client_for(client, cast.county_admin).get(detail("CA1B1")).content.decode()
    assert reverse("orgs:edit", kwargs={"code": "CA1B1"}) in page
    assert reverse("orgs:move", kwargs={"code": "CA1B1"}) in page
    # A township administers its own committee but does not move or dissolve it: that is the county's.
    page = client_for(client, cast.town_admin).get(detail("CA1")).content.decode()
    assert reverse("orgs:edit", kwargs={"code": "CA1"}) in page
    assert reverse("orgs:move", kwargs={"code": "CA1"}) not in page
    assert client.get(reverse("orgs:move", kwargs={"code": "CA1"})).status_code == 404
    assert client.get(reverse("orgs:delete", kwargs={"code": "CA1"})).status_code == 404


# ------------------------------------------------------------------ the organization page

def test_org_page_shows_record_counts_children_and_links(client, cast):
    actions.update_org(cast.tree.town, {"unit_name": "城关镇人民政府", "contact_phone": "0531-1234567",
                                         "founded_on": dt.date(1950, 10, 1)})
    page = client_for(client, cast.county_admin).get(detail("CA1")).content.decode()
    for text in ("东县城关镇党委", "CA1", "党委", "农村", "城关镇人民政府", "1950-10-01", "0531-1234567",
                 "城关镇东村党支部", "城关镇西村党支部", "/members/?org=CA1", reverse("orgs:history", kwargs={"code": "CA1"})):
        assert text in page, text
    assert '<a href="/orgs/CA/">东县县委</a>' in page  # parent link
    # subtree counts from the counters: 张伟, 王强 full; 李娜 probationary
    assert "正式 2 · 预备 1" in page


def test_parent_above_scope_is_named_without_link(client, cast):
    page = client_for(client, cast.county_admin).get(detail("CA")).content.decode()
    assert "示范市委" in page and 'href="/orgs/C/"' not in page


def test_children_are_paginated_beyond_100(client, cast):
    town = Org.objects.get(code="CA1")
    for i in range(3, 106):
        make_org(f"CA1B{i:03d}", f"第{i}村党支部", parent=town)
    c = client_for(client, cast.county_admin)
    page = c.get(detail("CA1")).content.decode()
    assert "下级党组织（105个）" in page and "第 1 / 2 页" in page
    page2 = c.get(detail("CA1") + "?page=2").content.decode()
    assert "第 2 / 2 页" in page2 and "第105村党支部" in page2


@pytest.mark.parametrize("n_children", [2, 120])
def test_org_page_query_count_does_not_grow_with_children(client, cast, django_assert_max_num_queries, n_children):
    town = Org.objects.get(code="CA1")
    for i in range(3, n_children + 1):
        make_org(f"CA1B{i:03d}", f"第{i}村党支部", parent=town)
    term = actions.add_term(town, elected_on=dt.date(2022, 3, 1))
    for i in range(5):
        actions.add_committee_member(term, name=f"委员{i}", position="member", started_on=dt.date(2022, 3, 1))
    c = client_for(client, cast.county_admin)
    with django_assert_max_num_queries(10):
        assert c.get(detail("CA1")).status_code == 200


def test_tree_home_and_history_query_counts_are_bounded(client, cast, django_assert_max_num_queries):
    town = Org.objects.get(code="CA1")
    for i in range(3, 40):
        org = make_org(f"CA1B{i:03d}", f"第{i}村党支部", parent=town)
        actions.add_term(org, elected_on=dt.date(2020, 1, 1))
    for i in range(10):
        actions.update_org(town, {"contact_phone": f"1390000{i:04d}"})
    c = client_for(client, cast.county_admin)
    with django_assert_max_num_queries(6):
        assert c.get(reverse("orgs:tree")).status_code == 200
    with django_assert_max_num_queries(6):
        assert c.get(reverse("orgs:children", kwargs={"code": "CA1"})).status_code == 200
    # 11 for the roots and warnings, one per kind of 待我处理 (kinds of one table share one: web/todo.py)
    with django_assert_max_num_queries(21):
        assert c.get(reverse("home")).status_code == 200
    with django_assert_max_num_queries(7):
        assert c.get(reverse("orgs:history", kwargs={"code": "CA1"})).status_code == 200


# ------------------------------------------------------------------ tree, search, autocomplete

def test_tree_starts_at_scope_roots(client, cast):
    page = client_for(client, cast.county_admin).get(reverse("orgs:tree")).content.decode()
    assert "东县县委" in page and "东县城关镇党委" in page  # single root opened one level
    assert "西区区委" not in page and "示范市委" not in page
    page = client_for(client, cast.city_admin).get(reverse("orgs:tree")).content.decode()
    assert "东县县委" in page and "西区区委" in page
    page = client_for(client, cast.member_user).get(reverse("orgs:tree")).content.decode()
    assert "城关镇东村党支部" in page and "城关镇西村党支部" not in page


def test_expanding_a_node_loads_its_children(client, cast):
    c = client_for(client, cast.city_admin)
    frag = c.get(reverse("orgs:children", kwargs={"code": "CA"}), HTTP_HX_REQUEST="true").content.decode()
    assert "东县城关镇党委" in frag and 'hx-get="/orgs/CA1/children/"' in frag and "<html" not in frag


def test_search_shows_ancestor_path_and_stays_in_scope(client, cast):
    make_org("CB02", "西区东村党支部", parent=cast.tree.district)
    c = client_for(client, cast.county_admin)
    frag = c.get(reverse("orgs:tree"), {"q": "东村"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results").content.decode()
    assert "城关镇东村党支部" in frag and "东县县委 › 东县城关镇党委 ›" in frag
    assert "西区东村党支部" not in frag
    assert "<html" not in frag
    page = c.get(reverse("orgs:tree"), {"q": "CA1B"}).content.decode()  # code prefix, full page without htmx
    assert "找到 2 个党组织" in page
    page = c.get(reverse("orgs:tree"), {"q": "不存在的组织"}).content.decode()
    assert "没有找到" in page


def test_autocomplete_is_scoped_and_filtered(client, cast):
    c = client_for(client, cast.county_admin)
    rows = c.get(reverse("orgs:autocomplete"), {"q": "东村"}).json()
    assert rows == [{"code": "CA1B1", "name": "城关镇东村党支部", "path_names": ["东县县委", "东县城关镇党委"],
                     "org_type": "branch", "org_type_label": "党支部"}]
    parents = c.get(reverse("orgs:autocomplete"), {"q": "", "action": "change_org", "kind": "parent"}).json()
    assert [r["code"] for r in parents] == ["CA", "CA1"]
    assert c.get(reverse("orgs:autocomplete"), {"kind": "parent", "exclude": "CA1"}).json()[0]["code"] == "CA"
    assert len(c.get(reverse("orgs:autocomplete"), {"kind": "parent", "exclude": "CA1"}).json()) == 1
    branches = c.get(reverse("orgs:autocomplete"), {"kind": "branch"}).json()
    assert {r["code"] for r in branches} == {"CA1B1", "CA1B2"}
    assert c.get(reverse("orgs:autocomplete"), {"action": "delete"}).status_code == 400
    s = client_for(client, cast.secretary1)
    assert s.get(reverse("orgs:autocomplete"), {"action": "change_org"}).json() == []
    assert [r["code"] for r in s.get(reverse("orgs:autocomplete"), {"action": "change_member"}).json()] == ["CA1B1"]


# ------------------------------------------------------------------ writes through the web

def test_create_edit_round_trip(client, cast):
    c = client_for(client, cast.county_admin)
    url = reverse("orgs:create") + "?parent=CA1"
    assert "上级党组织" in c.get(url).content.decode()
    resp = c.post(url, {"code": "CA1B3", "name": "城关镇南村党支部", "org_type": "branch", "domain": "rural",
                        "founded_on": "2001-07-01"})
    assert resp.status_code == 302 and resp["Location"] == detail("CA1B3")
    org = Org.objects.get(code="CA1B3")
    assert org.parent_org().code == "CA1" and org.founded_on == dt.date(2001, 7, 1)
    assert Event.objects.filter(verb="org.create", object_id=str(org.pk), actor=cast.county_admin).exists()

    edit = reverse("orgs:edit", kwargs={"code": "CA1B3"})
    assert 'value="城关镇南村党支部"' in c.get(edit).content.decode()
    resp = c.post(edit, {"code": "CA1B3", "name": "城关镇南村第一党支部", "org_type": "branch", "domain": "rural",
                         "founded_on": "2001-07-01", "contact_phone": "13900001111"}, follow=True)
    assert "已保存，修改了：党组织名称、联系电话" in resp.content.decode()
    org.refresh_from_db()
    assert org.name == "城关镇南村第一党支部"
    history = c.get(reverse("orgs:history", kwargs={"code": "CA1B3"})).content.decode()
    assert "城关镇南村党支部</del> → 城关镇南村第一党支部" in history
    assert "修改了：党组织名称、联系电话" in history and "county_admin" in history


def test_a_contact_number_a_digit_short_is_shown_next_to_its_field(client, cast):
    c = client_for(client, cast.county_admin)
    page = c.post(reverse("orgs:create") + "?parent=CA1", {
        "code": "CA1B3", "name": "城关镇南村党支部", "org_type": "branch", "domain": "rural",
        "contact_phone": "1390000111"}).content.decode()
    assert "“1390000111”是10位，手机号码应为11位，请核对" in page and "is-invalid" in page
    assert not Org.objects.filter(code="CA1B3").exists()


def test_validation_messages_are_shown_next_to_fields(client, cast):
    c = client_for(client, cast.county_admin)
    url = reverse("orgs:create") + "?parent=CA1"
    page = c.post(url, {"code": "", "name": "", "org_type": "branch", "domain": "rural",
                        "founded_on": "2001-13-40", "unit_credit_code": "123"}).content.decode()
    for msg in ("请填写党组织编码", "请填写党组织名称", "成立日期格式不正确", "统一社会信用代码应为18位"):
        assert msg in page, msg
    assert "is-invalid" in page
    page = c.post(url, {"code": "CA1B1", "name": "重复编码党支部", "org_type": "branch", "domain": "rural"}).content.decode()
    assert "党组织编码“CA1B1”已被使用" in page
    # The action's rule: a branch with members cannot become a committee.
    page = c.post(reverse("orgs:edit", kwargs={"code": "CA1B1"}), {
        "code": "CA1B1", "name": "城关镇东村党支部", "org_type": "committee", "domain": "rural"}).content.decode()
    assert "该支部还有党员，不能改为非支部类别" in page
    resp = c.get(reverse("orgs:create") + "?parent=CA1B1", follow=True)
    assert "不能设下级党组织" in resp.content.decode()


def test_move_round_trip_keeps_members_and_records_reason(client, cast):
    make_org("CA2", "东县新城镇党委", "committee", parent=cast.tree.county)
    c = client_for(client, cast.county_admin)
    url = reverse("orgs:move", kwargs={"code": "CA1B2"})
    page = c.get(url).content.decode()
    assert "党员档案、届次班子和历史记录都保留不变" in page and "data-action=\"change_org\"" in page
    page = c.post(url, {"parent": "CA2", "reason": ""}).content.decode()
    assert "请填写调整原因" in page
    page = c.post(url, {"parent": "CB", "reason": "区划调整"}).content.decode()  # out of the county's scope
    assert "请从列表中选择您有权管理的上级党组织" in page
    page = c.post(url, {"parent": "CA1B1", "reason": "区划调整"}).content.decode()
    assert "不能设下级党组织" in page
    resp = c.post(url, {"parent": "CA2", "reason": "区划调整（东政发〔2025〕3号）"})
    assert resp.status_code == 302
    org = Org.objects.get(code="CA1B2")
    assert org.parent_org().code == "CA2"
    assert Member.objects.get(pk=cast.m3.pk).org_path == org.path
    assert Org.objects.get(code="CA2").subtree_total == 1
    history = c.get(reverse("orgs:history", kwargs={"code": "CA1B2"})).content.decode()
    assert "调整隶属关系" in history and "区划调整（东政发〔2025〕3号）" in history


def test_delete_needs_confirmation_and_refuses_with_members(client, cast):
    c = client_for(client, cast.county_admin)
    url = reverse("orgs:delete", kwargs={"code": "CA1B1"})
    page = c.get(url).content.decode()
    assert "还有3名党员" not in page and "名党员（含已离开的党员档案），不能撤销" in page and "确认撤销" not in page
    resp = c.post(url)
    assert resp.status_code == 400 and "不能撤销" in resp.content.decode()
    assert Org.objects.filter(code="CA1B1").exists()
    assert "还有2个下级党组织" in c.get(reverse("orgs:delete", kwargs={"code": "CA1"})).content.decode()

    make_org("CA1B9", "城关镇临时党支部", "temp_branch", parent=cast.tree.town)
    url = reverse("orgs:delete", kwargs={"code": "CA1B9"})
    assert "确认撤销" in c.get(url).content.decode()
    assert Org.objects.filter(code="CA1B9").exists()  # GET changes nothing
    resp = c.post(url, follow=True)
    assert "已撤销“城关镇临时党支部”" in resp.content.decode()
    assert not Org.objects.filter(code="CA1B9").exists()


def test_term_and_committee_round_trip(client, cast):
    c = client_for(client, cast.town_admin)
    url = reverse("orgs:term_new", kwargs={"code": "CA1B1"})
    page = c.get(url).content.decode()
    assert 'name="years" value="5"' in page  # a village branch: 5 years by the rules
    assert "请填写换届(选举)日期" in c.post(url, {"years": "5"}).content.decode()
    assert "换届日期不能晚于今天" in c.post(url, {"elected_on": "2999-01-01", "years": "5"}).content.decode()
    resp = c.post(url, {"elected_on": "2021-01-10", "years": "5"})
    assert resp.status_code == 302
    page = c.get(detail("CA1B1")).content.decode()
    assert "第1届" in page and "2026-01-10" in page and "本届尚未录入班子成员，书记空缺" in page
    assert "换届日期应晚于上一届的换届日期" in c.post(url, {"elected_on": "2020-01-01", "years": "5"}).content.decode()

    add = reverse("orgs:committee_new", kwargs={"code": "CA1B1"})
    assert "张伟" in c.get(add).content.decode()  # the branch's members to pick from
    page = c.post(add, {"position": "secretary", "started_on": "2021-01-10"}).content.decode()
    assert "请填写姓名或选择对应党员" in page
    page = c.post(add, {"member": cast.m1.pk, "position": "secretary", "started_on": "2020-01-01"}).content.decode()
    assert "任职日期不能早于本届换届日期" in page
    assert c.post(add, {"member": cast.m1.pk, "position": "secretary", "started_on": "2021-01-10"}).status_code == 302
    c.post(add, {"name": "刘芳", "position": "member", "duty": "组织委员", "started_on": "2021-01-10"})
    page = c.get(detail("CA1B1")).content.decode()
    assert "张伟" in page and "组织委员" in page and "书记空缺" not in page

    cm = cast.tree.b1.terms.get().committee.get(name="刘芳")
    end = reverse("orgs:committee_end", kwargs={"code": "CA1B1", "pk": cm.pk})
    assert "离任日期不能早于任职日期" in c.post(end, {"ended_on": "2020-01-01"}).content.decode()
    assert c.post(end, {"ended_on": "2023-05-01"}).status_code == 302
    page = c.get(detail("CA1B1")).content.decode()
    assert "往届与已离任成员（1人" in page and "2021-01-10 至 2023-05-01" in page
    history = c.get(reverse("orgs:history", kwargs={"code": "CA1B1"})).content.decode()
    assert "换届" in history and "张伟 任书记" in history and "刘芳 于 2023-05-01 离任" in history


# ------------------------------------------------------------------ home

def test_home_for_county_admin_shows_roots_counts_and_warnings(client, cast):
    actions.add_term(cast.tree.b2, elected_on=dt.date(2015, 1, 1))  # long expired
    term = actions.add_term(cast.tree.b1, elected_on=dt.date(2023, 1, 1), years=3)
    actions.add_committee_member(term, name="张伟", position="secretary", started_on=dt.date(2023, 1, 1))
    actions.add_term(cast.tree.b3, elected_on=dt.date(2015, 1, 1))  # other county: not shown
    page = client_for(client, cast.county_admin).get(reverse("home")).content.decode()
    assert "东县县委" in page and "西区" not in page
    assert "党支部 <strong>2</strong> 个" in page and "尚未录入届次和班子" not in page
    assert "正式 2<br>预备 1" in page
    assert "换届提醒" in page and "城关镇西村党支部" in page and "已届满未换届" in page
    assert "书记空缺" in page
    # 东村 has its secretary; 西村 has none
    vacant = page.split("书记空缺", 1)[1]
    assert "城关镇西村党支部" in vacant and "城关镇东村党支部" not in vacant


def test_home_counts_branches_per_root_for_the_city(client, cast):
    page = client_for(client, cast.city_admin).get(reverse("home")).content.decode()
    assert "示范市委" in page and "党支部 <strong>3</strong> 个" in page and "正式 3<br>预备 1" in page


def test_home_for_a_plain_member_links_their_record(client, cast):
    page = client_for(client, cast.member_user).get(reverse("home")).content.decode()
    assert "城关镇东村党支部" in page and f"/members/{cast.m1.pk}/" in page
    assert "换届提醒" not in page and "党员合计" not in page


def test_home_for_a_secretary_warns_about_their_branch_only(client, cast):
    page = client_for(client, cast.secretary1).get(reverse("home")).content.decode()
    assert "城关镇东村党支部" in page and "城关镇西村党支部" not in page
    assert "书记空缺" in page and "尚未录入届次和班子；请联系上级党组织录入班子信息" in page
    assert "党支部 <strong>" not in page  # a branch's own card does not count branches


def test_navigation_links(client, cast):
    page = client_for(client, cast.viewer).get(reverse("home")).content.decode()
    assert 'href="/orgs/"' in page and 'href="/members/"' in page
    assert 'href="/io/"' not in page  # a viewer cannot import: no link to a page that would answer 404
    page = client_for(client, cast.secretary1).get(reverse("home")).content.decode()
    assert 'href="/io/"' in page and 'href="/transfers/"' in page
    page = client_for(client, cast.outsider).get(reverse("home")).content.decode()
    assert 'href="/orgs/"' not in page


@pytest.mark.parametrize("who", ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer",
                                 "member_user", "outsider"])
def test_tree_home_and_autocomplete_answer_every_role(client, cast, who):
    c = client_for(client, getattr(cast, who))
    assert c.get(reverse("home")).status_code == 200
    assert c.get(reverse("orgs:tree")).status_code == 200
    rows = c.get(reverse("orgs:autocomplete"), {"q": "党支部"}).json()
    visible = set(Org.objects.restrict(getattr(cast, who), "view").values_list("code", flat=True))
    assert {r["code"] for r in rows} <= visible
    if who == "outsider":
        assert rows == []
        assert "还没有被授权" in c.get(reverse("orgs:tree")).content.decode()


def test_a_long_level_points_to_the_paginated_org_page(client, cast, monkeypatch):
    from dangjian.orgs import views

    monkeypatch.setattr(views, "TREE_LEVEL_LIMIT", 1)
    frag = client_for(client, cast.county_admin).get(reverse("orgs:children", kwargs={"code": "CA1"})).content.decode()
    assert "城关镇东村党支部" in frag and "城关镇西村党支部" not in frag
    assert "仅显示前 1 个" in frag and "/orgs/CA1/#children" in frag


def test_committee_member_must_come_from_the_branch(client, cast):
    actions.add_term(cast.tree.b1, elected_on=dt.date(2024, 1, 10))
    c = client_for(client, cast.county_admin)
    page = c.post(reverse("orgs:committee_new", kwargs={"code": "CA1B1"}), {
        "member": cast.m3.pk, "position": "member", "started_on": "2024-01-10"}).content.decode()
    assert "所选党员不在本组织" in page
    # A committee above the branches records names only: no member picker.
    actions.add_term(cast.tree.town, elected_on=dt.date(2024, 1, 10))
    page = c.get(reverse("orgs:committee_new", kwargs={"code": "CA1"})).content.decode()
    assert 'name="member"' not in page and 'name="name"' in page
