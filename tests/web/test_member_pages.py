"""Member pages for every role of the cast: scope (404 outside), masking, the logged reveal, forms."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.core import idcard
from dangjian.core.models import Event
from dangjian.members.models import Member

TODAY = timezone.localdate().isoformat()
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
    # the roster's export buttons: for those who see a roster, not for a plain member (their own record)
    assert ('id="export-links"' in page) == (who not in {"member_user", "outsider"})


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
    page = as_user(client, cast.city_admin).get(reverse("members:list"), {"as_of": TODAY}).content.decode()
    assert "历史名单" in page and "张伟" in page


def test_as_of_in_the_future_is_explained(client, cast):
    r = as_user(client, cast.city_admin).get(reverse("members:list"), {"as_of": "2999-01-01"})
    assert r.status_code == 400 and "不能晚于今天" in r.content.decode() and "历史名单：截至" not in r.content.decode()


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


def test_editing_a_mobile_member_keeps_the_outflow_record_and_flags(client, cast):
    from dangjian.members import actions

    actions.register_mobile(cast.m1, destination="浙江省宁波市", since=dt.date(2025, 3, 1), contact="13800001111",
                            by=cast.secretary1)
    c = as_user(client, cast.secretary1)
    page = c.get(reverse("members:edit", args=[cast.m1.pk])).content.decode()
    assert 'name="is_mobile"' not in page and "登记外出流动" in page
    data = form_data("CA1B1", name=cast.m1.name, id_number=cast.m1.id_number, job="个体经营",
                     joined_on="2010-07-01", confirmed_on="2011-07-01", birth_date="1985-03-12", gender="M")
    assert c.post(reverse("members:edit", args=[cast.m1.pk]), data).status_code == 302
    m = Member.objects.get(pk=cast.m1.pk)
    assert m.job == "个体经营" and m.is_mobile and m.mobile_destination == "浙江省宁波市"
    assert m.mobile_records.filter(ended_on__isnull=True).exists()


def test_member_edits_only_own_contact(client, cast):
    c = as_user(client, cast.member_user)
    r = c.post(reverse("members:edit", args=[cast.m1.pk]), {"phone": "13700000000", "address": "东村3组", "name": "改名"})
    assert r.status_code == 302
    cast.m1.refresh_from_db()
    assert cast.m1.phone == "13700000000" and cast.m1.name == "张伟"


def test_the_branch_is_sent_to_request_a_status_change(client, cast):
    c = as_user(client, cast.secretary1)
    page = c.get(reverse("members:status", args=[cast.m1.pk])).content.decode()
    assert page.count("须经上级党组织审批") == 1 and reverse("members:case_new", args=[cast.m1.pk]) in page
    assert 'name="reason"' not in page
    r = c.post(reverse("members:status", args=[cast.m1.pk]), {"status": "deceased", "reason": "病故", "on": "2025-01-02"})
    assert r.status_code == 200 and "须经上级党组织审批" in r.content.decode()
    cast.m1.refresh_from_db()
    assert cast.m1.status == "normal"


def test_status_change_needs_reason(client, cast):
    c = as_user(client, cast.town_admin)  # the committee above records its decision directly
    r = c.post(reverse("members:status", args=[cast.m1.pk]), {"status": "deceased", "reason": "", "on": "2025-01-02"})
    assert r.status_code == 200 and "请填写原因" in r.content.decode()
    r = c.post(reverse("members:status", args=[cast.m1.pk]), {"status": "deceased", "reason": "病故", "on": "2025-01-02"})
    assert r.status_code == 302
    cast.m1.refresh_from_db()
    assert cast.m1.status == "deceased"


# ---------------------------------------------------------------- write pages by role

ADDERS = {"city_admin", "county_admin", "town_admin", "secretary1", "secretary2"}


@pytest.mark.parametrize("who", ROLES)
def test_create_page_by_role(client, cast, who):
    c = as_user(client, getattr(cast, who))
    assert c.get(reverse("members:create")).status_code == (200 if who in ADDERS else 404)
    b1_ok = who in {"city_admin", "county_admin", "town_admin", "secretary1"}
    assert c.get(reverse("members:create"), {"org": "CA1B1"}).status_code == (200 if b1_ok else 404)


@pytest.mark.parametrize("who", ["viewer", "member_user", "outsider", "secretary2"])
def test_write_posts_outside_change_scope_are_404_and_change_nothing(client, cast, who):
    c = as_user(client, getattr(cast, who))
    m = cast.m2  # CA1B1, not the member_user's own record
    assert c.post(reverse("members:edit", args=[m.pk]), form_data("CA1B1", name="改名")).status_code == 404
    assert c.post(reverse("members:status", args=[m.pk]),
                  {"status": "deceased", "reason": "x", "on": "2025-01-02"}).status_code == 404
    assert c.post(reverse("members:create"), form_data("CA1B1")).status_code == 404
    m.refresh_from_db()
    assert m.name == "李娜" and m.status == "normal"
    assert not Member.objects.filter(name="周杰").exists()


def test_no_delete_anywhere(client, cast):
    """Members leave by a 党籍 status change; there is no delete route and no delete button."""
    import re

    from dangjian.members import urls

    assert not [p for p in urls.urlpatterns if "delete" in str(p.pattern) or "delete" in (p.name or "")]
    c = as_user(client, cast.city_admin)
    button = re.compile(r"<(a|button)\b[^>]*>\s*(<i[^>]*></i>)?\s*删除")
    for name in ("members:detail", "members:edit", "members:status", "members:history"):
        assert not button.search(c.get(reverse(name, args=[cast.m1.pk])).content.decode()), name


# ---------------------------------------------------------------- masking and the logged reveal

@pytest.mark.parametrize("who", ROLES)
def test_lists_mask_numbers_for_every_role(client, cast, who):
    c = as_user(client, getattr(cast, who))
    pages = [c.get(reverse("members:list")), c.get(reverse("members:list"), {"as_of": TODAY}),
             c.get(reverse("members:list"), {"q": "zw"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")]
    for r in pages:
        page = r.content.decode()
        for m in (cast.m1, cast.m2, cast.m3, cast.m4):
            assert m.id_number not in page and m.phone not in page
    if who in VISIBLE and "m1" in VISIBLE[who]:
        assert idcard.mask(cast.m1.id_number) in pages[0].content.decode()
        assert idcard.mask_phone(cast.m1.phone) in pages[0].content.decode()


@pytest.mark.parametrize("who", ["city_admin", "county_admin", "town_admin", "secretary1"])
def test_admins_and_secretary_reveal_full_numbers_and_it_is_logged(client, cast, who):
    c = as_user(client, getattr(cast, who))
    assert cast.m1.id_number not in c.get(reverse("members:detail", args=[cast.m1.pk])).content.decode()
    page = c.post(reverse("members:reveal", args=[cast.m1.pk])).content.decode()
    assert cast.m1.id_number in page and cast.m1.phone in page
    assert Event.objects.filter(verb="member.view_sensitive", actor=getattr(cast, who),
                                object_id=str(cast.m1.pk)).count() == 1
    # the view is visible to whoever reads the member's history
    history = c.get(reverse("members:history", args=[cast.m1.pk])).content.decode()
    assert "查看完整身份证号和电话" in history and who in history


@pytest.mark.parametrize("who", ["viewer", "member_user", "secretary2"])
def test_others_cannot_reveal_and_nothing_is_logged(client, cast, who):
    c = as_user(client, getattr(cast, who))
    target = cast.m2 if who == "member_user" else cast.m1  # member_user's own record is m1
    assert c.post(reverse("members:reveal", args=[target.pk])).status_code == 404
    assert not Event.objects.filter(verb="member.view_sensitive").exists()


def test_viewer_history_masks_number_changes(client, cast):
    from dangjian.members import actions

    old_phone = cast.m1.phone
    actions.update_member(cast.m1, {"phone": "13955556666"}, by=cast.secretary1, source="页面修改")
    page = as_user(client, cast.viewer).get(reverse("members:history", args=[cast.m1.pk])).content.decode()
    assert "联系电话" in page and "13955556666" not in page and old_phone not in page
    assert idcard.mask_phone("13955556666") in page
    page = as_user(client, cast.secretary1).get(reverse("members:history", args=[cast.m1.pk])).content.decode()
    assert "13955556666" in page


# ---------------------------------------------------------------- forms: errors next to the field, nothing saved

def _field_error(page: str, field_id: str) -> str:
    """The invalid-feedback text that follows the input `field_id` in the same .mb-3 block."""
    import re

    m = re.search(r'id="%s".*?<div class="invalid-feedback d-block">(.*?)</div>' % field_id, page, re.S)
    return m.group(1) if m else ""


@pytest.mark.parametrize("bad, field, words", [
    ({"id_number": "370102199204090310"}, "id_id_number", "校验位"),
    ({"gender": "F"}, "id_gender", "性别与公民身份号码不符"),
    ({"birth_date": "1990-01-01"}, "id_birth_date", "出生日期与公民身份号码不符"),
    ({"category": "probationary"}, "id_confirmed_on", "预备党员不应有转正日期"),
    ({"joined_on": "2005-01-01"}, "id_joined_on", "年满18周岁"),
    ({"joined_on": ""}, "id_joined_on", "请填写入党日期"),
    ({"name": ""}, "id_name", "请填写姓名"),
    ({"confirmed_on": "2016-01-01"}, "id_confirmed_on", "转正日期应晚于入党日期"),
    ({"phone": "139 0000 111"}, "id_phone", "“139 0000 111”是10位，手机号码应为11位，请核对"),
])
def test_create_errors_are_shown_next_to_their_field(client, cast, bad, field, words):
    r = as_user(client, cast.secretary1).post(reverse("members:create"), form_data("CA1B1", **bad))
    assert r.status_code == 200
    assert words in _field_error(r.content.decode(), field)
    assert not Member.objects.filter(name__in=["周杰", ""]).exclude(pk__in=[cast.m1.pk]).filter(org=cast.tree.b1,
                                                                                              job="村医").exists()


def test_duplicate_active_id_is_refused_next_to_the_field(client, cast):
    r = as_user(client, cast.county_admin).post(reverse("members:create"), form_data("CA1B2", id_number=cast.m1.id_number,
                                                                                       name="张伟"))
    assert "已登记为“城关镇东村党支部”的党员张伟" in _field_error(r.content.decode(), "id_id_number")
    assert Member.objects.filter(id_number=cast.m1.id_number).count() == 1


def test_edit_error_keeps_the_record_unchanged(client, cast):
    before = Member.objects.get(pk=cast.m1.pk)
    data = form_data("CA1B1", name="张伟伟", id_number=cast.m1.id_number[:-1] + "0"
                     if cast.m1.id_number[-1] != "0" else cast.m1.id_number[:-1] + "1")
    r = as_user(client, cast.secretary1).post(reverse("members:edit", args=[cast.m1.pk]), data)
    assert r.status_code == 200 and "校验位" in _field_error(r.content.decode(), "id_id_number")
    after = Member.objects.get(pk=cast.m1.pk)
    assert (after.name, after.id_number, after.job) == (before.name, before.id_number, before.job)
    assert not Event.objects.filter(verb="member.update").exists()


def test_a_member_typing_a_digit_short_of_a_mobile_number_is_told_so(client, cast):
    r = as_user(client, cast.member_user).post(reverse("members:edit", args=[cast.m1.pk]),
                                               {"phone": "1390000111", "address": ""})
    assert "“1390000111”是10位，手机号码应为11位" in _field_error(r.content.decode(), "id_phone")
    cast.m1.refresh_from_db()
    assert cast.m1.phone != "1390000111"
    r = as_user(client, cast.member_user).post(reverse("members:edit", args=[cast.m1.pk]),
                                               {"phone": "0371-6392 1234", "address": ""})  # a landline: as written
    cast.m1.refresh_from_db()
    assert cast.m1.phone == "0371-6392 1234"


def test_member_self_edit_error_is_next_to_the_field(client, cast, monkeypatch):
    from django.core.exceptions import ValidationError

    from dangjian.members import actions

    def refuse(*a, **kw):
        raise ValidationError({"phone": "联系电话格式不正确"})

    monkeypatch.setattr(actions, "update_member", refuse)
    r = as_user(client, cast.member_user).post(reverse("members:edit", args=[cast.m1.pk]), {"phone": "12", "address": ""})
    assert "联系电话格式不正确" in _field_error(r.content.decode(), "id_phone")


def test_branch_select_lists_only_branches_in_change_scope(client, cast):
    r = as_user(client, cast.town_admin).get(reverse("members:create"))
    page = r.content.decode()
    assert 'name="org"' in page and "<select" in page
    assert 'value="CA1B1"' in page and 'value="CA1B2"' in page and 'value="CB01"' not in page
    assert '<optgroup label="东县城关镇党委">' in page
    # a secretary with one branch gets it chosen
    page = as_user(client, cast.secretary1).get(reverse("members:create")).content.decode()
    assert 'value="CA1B1" selected' in page


def test_many_branches_use_the_typed_org_search(client, cast, monkeypatch):
    from dangjian.members import views

    monkeypatch.setattr(views, "MAX_BRANCH_SELECT", 1)
    page = as_user(client, cast.town_admin).get(reverse("members:create")).content.decode()
    assert "org-picker" in page and 'data-action="change_member"' in page


def test_empty_branch_choice_is_an_error_next_to_the_picker(client, cast):
    r = as_user(client, cast.town_admin).post(reverse("members:create"), form_data(""))
    assert "请填写所在党支部" in _field_error(r.content.decode(), "id_org")
    assert not Member.objects.filter(name="周杰").exists()


def test_status_change_is_logged_and_shown_on_the_page_and_in_history(client, cast):
    c = as_user(client, cast.county_admin)
    r = c.post(reverse("members:status", args=[cast.m3.pk]),
               {"status": "suspended", "reason": "连续六个月不参加组织生活", "on": "2025-03-01"})
    assert r.status_code == 302
    page = c.get(reverse("members:detail", args=[cast.m3.pk])).content.decode()
    assert "停止党籍" in page and "连续六个月不参加组织生活" in page and "2025-03-01" in page
    history = c.get(reverse("members:history", args=[cast.m3.pk])).content.decode()
    assert "党籍状态：正常 → 停止党籍" in history and "正常 → 停止党籍，原因：连续六个月不参加组织生活" in history
    # the same status again is refused next to the field
    r = c.post(reverse("members:status", args=[cast.m3.pk]), {"status": "suspended", "reason": "x", "on": "2025-03-02"})
    assert "党籍状态已是" in _field_error(r.content.decode(), "id_status")


# ---------------------------------------------------------------- search and filters

def test_search_by_pinyin_prefix_and_full_id_for_admins(client, cast):
    c = as_user(client, cast.county_admin)
    assert [m.name for m in c.get(reverse("members:list"), {"q": "zhang"}).context["rows"]] == ["张伟"]
    assert [m.name for m in c.get(reverse("members:list"), {"q": cast.m3.id_number}).context["rows"]] == ["王强"]


@pytest.mark.parametrize("params, expected", [
    ({"category": "probationary"}, {"李娜"}),
    ({"education": "bachelor", "gender": "M"}, {"张伟", "王强"}),
    ({"age": "51-55"}, {"赵敏"}),
    ({"joined_year": "2025"}, {"李娜"}),
    ({"ethnicity": "少数民族"}, {"马丽"}),
    ({"ethnicity": "回族"}, {"马丽"}),
    ({"ethnicity": "汉族", "org": "CA1B1"}, {"张伟", "李娜"}),
    ({"org": "CA1"}, {"张伟", "李娜", "王强"}),
])
def test_filters(client, cast, params, expected):
    from tests.factories import make_member

    make_member(cast.tree.b3, "马丽", gender="F", ethnicity="回族", birth=dt.date(2001, 2, 3),
                joined=dt.date(2022, 7, 1), confirmed=dt.date(2023, 7, 1))
    if params.get("age"):  # 赵敏 was born 1970-01-02: pin "today" for the age band
        import time_machine

        with time_machine.travel(dt.datetime(2023, 6, 1, 12), tick=False):
            r = as_user(client, cast.city_admin).get(reverse("members:list"), params)
    else:
        r = as_user(client, cast.city_admin).get(reverse("members:list"), params)
    assert {m.name for m in r.context["rows"]} == expected
    assert r.context["total"] == len(expected)


def test_status_filter_default_normal_or_all(client, cast):
    from dangjian.members import actions

    actions.change_status(cast.m3, "deceased", reason="病故", on=dt.date(2025, 1, 2), by=cast.county_admin)
    c = as_user(client, cast.county_admin)
    assert "王强" not in {m.name for m in c.get(reverse("members:list")).context["rows"]}
    r = c.get(reverse("members:list"), {"status": "all"})
    assert "王强" in {m.name for m in r.context["rows"]} and "去世" in r.content.decode()
    assert [m.name for m in c.get(reverse("members:list"), {"status": "deceased"}).context["rows"]] == ["王强"]


def test_bad_filter_value_is_explained_in_the_page(client, cast):
    c = as_user(client, cast.county_admin)
    r = c.get(reverse("members:list"), {"joined_year": "abc"})
    assert r.status_code == 400 and "入党年份“abc”无效" in r.content.decode() and "<form" in r.content.decode()
    assert 'value="abc"' in r.content.decode()  # the typed value stays in its box
    # htmx only swaps 2xx answers: the fragment carries the message with 200
    r = c.get(reverse("members:list"), {"joined_year": "abc"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert r.status_code == 200 and "入党年份“abc”无效" in r.content.decode()


def test_export_links_carry_the_current_filters(client, cast):
    c = as_user(client, cast.county_admin)
    page = c.get(reverse("members:list"), {"gender": "F", "org": "CA1"}).content.decode()
    assert "/io/members/export/?gender=F&amp;org=CA1&amp;format=xlsx" in page
    assert "/io/members/export/?gender=F&amp;org=CA1&amp;format=csv" in page
    # an htmx refresh swaps the export buttons too (out of band), so they never lag behind the filters
    r = c.get(reverse("members:list"), {"q": "zw", "category": "full"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    frag = r.content.decode()
    assert 'id="export-links" hx-swap-oob="true"' in frag and "/io/members/export/?q=zw&amp;category=full&amp;format=xlsx" in frag
    # the paging cursor is not a filter
    assert "after=" not in frag.split('id="export-links"')[1].split("</div>")[0]


def _backdate_history(to):
    """Move every member version back so that the newest lands on `to`, keeping their order."""
    from django.db.models import F, Max

    newest = Member.history.aggregate(m=Max("history_date"))["m"]
    Member.history.update(history_date=F("history_date") - (newest - to))


def test_as_of_list_shows_the_roster_of_that_day(client, cast):
    from dangjian.members import actions
    from tests.factories import make_member

    # Everything so far happened "on 2024-01-01"; today 王强 dies and 周杰 joins.
    _backdate_history(dt.datetime(2024, 1, 1, 9, tzinfo=dt.timezone.utc))
    actions.change_status(cast.m3, "deceased", reason="病故", on=timezone.localdate(), by=cast.county_admin)
    make_member(cast.tree.b2, "周杰")
    c = as_user(client, cast.county_admin)
    now = {m.name for m in c.get(reverse("members:list")).context["rows"]}
    assert "周杰" in now and "王强" not in now
    r = c.get(reverse("members:list"), {"as_of": "2024-06-30"})
    then = {m.name for m in r.context["rows"]}
    assert then == {"张伟", "李娜", "王强"} and r.context["total"] == 3
    page = r.content.decode()
    assert "历史名单：截至 2024年6月30日" in page and "城关镇西村党支部" in page
    assert as_user(client, cast.county_admin).get(reverse("members:list"), {"as_of": "2023-12-31"}).context["total"] == 0


def test_as_of_before_anyone_joined_is_empty_with_banner(client, cast):
    _backdate_history(dt.datetime(2024, 1, 1, 9, tzinfo=dt.timezone.utc))
    page = as_user(client, cast.city_admin).get(reverse("members:list"), {"as_of": "2023-06-30"}).content.decode()
    assert "历史名单：截至 2023年6月30日" in page and "没有符合条件的党员" in page


# ---------------------------------------------------------------- paging and query counts

def _many(cast, n):
    from tests.factories import make_member

    for i in range(n):
        make_member(cast.tree.b2 if i % 2 else cast.tree.b1, f"批量{i:03d}")


def test_keyset_paging_walks_the_whole_list_once(client, cast):
    _many(cast, 110)
    c = as_user(client, cast.county_admin)
    seen, url, pages = [], reverse("members:list"), 0
    while url:
        r = c.get(url if url.startswith("/") else reverse("members:list") + url)
        assert r.context["total"] == 113
        seen += [m.pk for m in r.context["rows"]]
        url, pages = r.context["next_url"], pages + 1
    assert pages == 3 and len(seen) == len(set(seen)) == 113


@pytest.mark.parametrize("params", [{}, {"q": "pl", "gender": "M"}, {"status": "all", "org": "CA1"},
                                    {"as_of": TODAY}, {"ethnicity": "汉族", "age": "36-40"}])
def test_list_query_count_does_not_grow_with_the_page(client, cast, django_assert_max_num_queries, params):
    _many(cast, 120)
    c = as_user(client, cast.county_admin)
    with django_assert_max_num_queries(8):
        r = c.get(reverse("members:list"), params)
    if r.context["next_url"]:
        with django_assert_max_num_queries(8):
            c.get(reverse("members:list") + r.context["next_url"])
    with django_assert_max_num_queries(8):
        c.get(reverse("members:list"), params, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")


def test_member_pages_query_counts(client, cast, django_assert_max_num_queries):
    from dangjian.members import actions

    for i in range(30):  # many versions and events must not mean many queries
        actions.update_member(cast.m1, {"job": f"岗位{i}"}, by=cast.secretary1, source="页面修改")
        actions.record_sensitive_view(cast.m1, by=cast.secretary1)
    c = as_user(client, cast.secretary1)
    for name, limit in (("members:detail", 8), ("members:history", 10), ("members:edit", 8), ("members:status", 6)):
        with django_assert_max_num_queries(limit):
            assert c.get(reverse(name, args=[cast.m1.pk])).status_code == 200
    with django_assert_max_num_queries(8):
        c.get(reverse("members:create"))


def test_the_list_filters_numbers_to_correct_and_exports_them_named_so(client, cast):
    from urllib.parse import unquote

    Member.objects.filter(pk=cast.m1.pk).update(phone="1380000123")
    c = as_user(client, cast.town_admin)
    page = c.get(reverse("members:list"), {"phone": "suspect"}).content.decode()
    assert '<option value="suspect" selected>号码待核对</option>' in page
    assert cast.m1.name in page and cast.m3.name not in page
    r = c.get("/io/members/export/", {"phone": "suspect", "format": "csv"})
    assert "联系电话待核对" in unquote(r["Content-Disposition"])
    rows = b"".join(r.streaming_content).decode("utf-8-sig").splitlines()
    assert len(rows) == 2 and rows[1].startswith(cast.m1.name)


def test_a_stored_number_that_is_no_mobile_number_is_pointed_out_to_who_may_correct_it(client, cast):
    Member.objects.filter(pk=cast.m1.pk).update(phone="1380000123")
    url = reverse("members:detail", args=[cast.m1.pk])
    for who in (cast.secretary1, cast.member_user):
        page = as_user(client, who).get(url).content.decode()
        assert "以1开头却不是11位手机号码，请核对后" in page and reverse("members:edit", args=[cast.m1.pk]) in page
        client.logout()
    page = as_user(client, cast.viewer).get(url).content.decode()
    assert "phone-suspect" not in page and "1380000123" not in page  # read-only, and masked
