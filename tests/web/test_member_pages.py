"""Member pages for every role of the cast: scope (404 outside), masking, the logged reveal, forms."""

import datetime as dt

import pytest
from django.urls import reverse

from dangjian.core import idcard
from dangjian.core.models import Event
from dangjian.members.models import Member

ROLES = ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member_user", "outsider"]

# Who may see m1 (branch CA1B1), m3 (CA1B2), m4 (CB01).
VISIBLE = {
    "city_admin": {"m1", "m2", "m3", "m4"}, "county_admin": {"m1", "m2", "m3"}, "town_admin": {"m1", "m2", "m3"},
    "secretary1": {"m1", "m2"}, "secretary2": {"m3"}, "viewer": {"m1", "m2", "m3"}, "member_user": {"m1"},
    "outsider": set(),
}
CHANGE = {
    "city_admin": {"m1", "m2", "m3", "m4"}, "county_admin": {"m1", "m2", "m3"}, "town_admin": {"m1", "m2", "m3"},
    "secretary1": {"m1", "m2"}, "secretary2": {"m3"}, "viewer": set(), "member_user": set(), "outsider": set(),
}


def as_user(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ROLES)
def test_list_shows_exactly_the_scope(client, cast, who):
    r = as_user(client, getattr(cast, who)).get(reverse("members:list"))
    assert r.status_code == 200
    page = r.content.decode()
    for key in ("m1", "m2", "m3", "m4"):
        m = getattr(cast, key)
        assert (reverse("members:detail", args=[m.pk]) + '"' in page) == (key in VISIBLE[who]), key


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("key", ["m1", "m3", "m4"])
def test_detail_edit_status_history_by_scope(client, cast, who, key):
    c = as_user(client, getattr(cast, who))
    m = getattr(cast, key)
    seen = key in VISIBLE[who]
    assert c.get(reverse("members:detail", args=[m.pk])).status_code == (200 if seen else 404)
    assert c.get(reverse("members:history", args=[m.pk])).status_code == (200 if seen else 404)
    can_change = key in CHANGE[who]
    assert c.get(reverse("members:status", args=[m.pk])).status_code == (200 if can_change else 404)
    own = who == "member_user" and key == "m1"
    assert c.get(reverse("members:edit", args=[m.pk])).status_code == (200 if can_change or own else 404)
    assert c.post(reverse("members:reveal", args=[m.pk])).status_code == (200 if can_change else 404)


def test_anonymous_is_sent_to_login(client, cast):
    for url in (reverse("members:list"), reverse("members:detail", args=[cast.m1.pk]), reverse("members:create")):
        r = client.get(url)
        assert r.status_code == 302 and "/login/" in r["Location"]


def test_org_filter_outside_scope_is_404(client, cast):
    assert as_user(client, cast.secretary1).get(reverse("members:list"), {"org": "CB01"}).status_code == 404


@pytest.mark.parametrize("who", ["city_admin", "secretary1", "viewer"])
def test_numbers_always_masked_in_lists(client, cast, who):
    page = as_user(client, getattr(cast, who)).get(reverse("members:list")).content.decode()
    assert cast.m1.id_number not in page and cast.m1.phone not in page
    assert idcard.mask(cast.m1.id_number) in page


def test_viewer_sees_masked_numbers_and_cannot_reveal(client, cast):
    page = as_user(client, cast.viewer).get(reverse("members:detail", args=[cast.m1.pk])).content.decode()
    assert cast.m1.id_number not in page and "显示完整号码" not in page


def test_secretary_reveal_is_logged(client, cast):
    c = as_user(client, cast.secretary1)
    page = c.get(reverse("members:detail", args=[cast.m1.pk])).content.decode()
    assert cast.m1.id_number not in page and "显示完整号码" in page
    page = c.post(reverse("members:reveal", args=[cast.m1.pk])).content.decode()
    assert cast.m1.id_number in page and cast.m1.phone in page
    ev = Event.objects.get(verb="member.view_sensitive")
    assert ev.actor == cast.secretary1 and ev.object_id == str(cast.m1.pk)


def test_member_sees_own_full_numbers_without_a_log(client, cast):
    page = as_user(client, cast.member_user).get(reverse("members:detail", args=[cast.m1.pk])).content.decode()
    assert cast.m1.id_number in page
    assert not Event.objects.filter(verb="member.view_sensitive").exists()


def test_search_by_pinyin_initials_and_id_tail(client, cast):
    c = as_user(client, cast.city_admin)
    for q in ("zhangwei", "zw", "张伟", cast.m1.id_number[-6:]):
        page = c.get(reverse("members:list"), {"q": q}).content.decode()
        assert "张伟" in page and "赵敏" not in page, q


def test_filters_and_count(client, cast):
    c = as_user(client, cast.city_admin)
    r = c.get(reverse("members:list"), {"gender": "F"})
    page = r.content.decode()
    assert "李娜" in page and "赵敏" in page and "王强" not in page
    assert 'id="member-total">2<' in page
    assert c.get(reverse("members:list"), {"age": "nope"}).status_code == 400


def test_htmx_request_returns_the_results_fragment(client, cast):
    r = as_user(client, cast.city_admin).get(reverse("members:list"), {"q": "zw"}, HTTP_HX_REQUEST="true",
                                             HTTP_HX_TARGET="results")
    assert "<form" not in r.content.decode() and "张伟" in r.content.decode()


def test_keyset_paging(client, cast, monkeypatch):
    from dangjian.members import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    c = as_user(client, cast.city_admin)
    r1 = c.get(reverse("members:list"))
    assert r1.context["next_url"]
    names1 = [m.name for m in r1.context["rows"]]
    r2 = c.get(reverse("members:list") + r1.context["next_url"])
    names2 = [m.name for m in r2.context["rows"]]
    assert len(names1) == 2 and len(names2) == 2 and not set(names1) & set(names2)
    assert r2.context["next_url"] is None


def test_as_of_banner(client, cast):
    page = as_user(client, cast.city_admin).get(reverse("members:list"), {"as_of": "2999-01-01"}).content.decode()
    assert "历史名单" in page and "张伟" in page


def test_list_query_count_is_bounded(client, cast, django_assert_max_num_queries):
    from tests.factories import make_member

    for i in range(30):
        make_member(cast.tree.b2, f"测试{i}")
    c = as_user(client, cast.city_admin)
    with django_assert_max_num_queries(8):
        c.get(reverse("members:list"))
    with django_assert_max_num_queries(8):
        c.get(reverse("members:list"), {"q": "cs", "gender": "M"})


def form_data(org_code, **kw):
    birth = dt.date(1992, 4, 9)
    d = {"org": org_code, "name": "周杰", "id_number": idcard.make("370102", birth, 31), "gender": "", "birth_date": "",
         "ethnicity": "汉族", "education": "bachelor", "category": "full", "joined_on": "2016-07-01",
         "confirmed_on": "2017-07-01", "job": "村医", "phone": "13912345678", "address": ""}
    d.update(kw)
    return d


def test_secretary_adds_member_derived_birth_and_sex(client, cast):
    c = as_user(client, cast.secretary1)
    r = c.post(reverse("members:create"), form_data("CA1B1"))
    assert r.status_code == 302
    m = Member.objects.get(name="周杰")
    assert m.gender == "M" and m.birth_date == dt.date(1992, 4, 9) and m.org == cast.tree.b1


def test_bad_id_error_next_to_field_and_nothing_saved(client, cast):
    c = as_user(client, cast.secretary1)
    r = c.post(reverse("members:create"), form_data("CA1B1", id_number="370102199204090310"))
    assert r.status_code == 200
    assert "校验位" in " ".join(r.context["form"].errors["id_number"])
    page = r.content.decode()
    assert "invalid-feedback" in page and "校验位" in page
    assert not Member.objects.filter(name="周杰").exists()


def test_secretary_cannot_add_into_other_branch(client, cast):
    assert as_user(client, cast.secretary1).post(reverse("members:create"), form_data("CA1B2")).status_code == 404
    assert not Member.objects.filter(name="周杰").exists()


def test_edit_records_history_with_labels(client, cast):
    c = as_user(client, cast.secretary1)
    data = form_data("CA1B1", name=cast.m1.name, id_number=cast.m1.id_number, education="postgraduate",
                     joined_on="2010-07-01", confirmed_on="2011-07-01", birth_date="1985-03-12", gender="M")
    r = c.post(reverse("members:edit", args=[cast.m1.pk]), data)
    assert r.status_code == 302, r.context["form"].errors
    page = c.get(reverse("members:history", args=[cast.m1.pk])).content.decode()
    assert "学历" in page and "研究生" in page and "页面修改" in page


def test_member_edits_only_own_contact(client, cast):
    c = as_user(client, cast.member_user)
    r = c.post(reverse("members:edit", args=[cast.m1.pk]), {"phone": "13700000000", "address": "东村3组", "name": "改名"})
    assert r.status_code == 302
    cast.m1.refresh_from_db()
    assert cast.m1.phone == "13700000000" and cast.m1.name == "张伟"


def test_status_change_needs_reason(client, cast):
    c = as_user(client, cast.secretary1)
    r = c.post(reverse("members:status", args=[cast.m1.pk]), {"status": "deceased", "reason": "", "on": "2025-01-02"})
    assert r.status_code == 200 and "请填写原因" in r.content.decode()
    r = c.post(reverse("members:status", args=[cast.m1.pk]), {"status": "deceased", "reason": "病故", "on": "2025-01-02"})
    assert r.status_code == 302
    cast.m1.refresh_from_db()
    assert cast.m1.status == "deceased"
