"""/disclosure/: staff list, forms and state changes, scoped like everything else (out of scope → 404)."""

import pytest
from django.test import Client

from dangjian.disclosure.models import DisclosureItem, Status

ROLES = ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member_user", "outsider"]
WRITERS_B1 = {"city_admin", "county_admin", "town_admin", "secretary1"}
VIEWERS_B1 = WRITERS_B1 | {"viewer"}


def login(user):
    c = Client()
    c.force_login(user)
    return c


def test_login_required(items):
    r = Client().get("/disclosure/")
    assert r.status_code == 302 and "/login/" in r["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_pages_answer_by_scope(items, cast, role):
    c = login(getattr(cast, role))
    assert c.get("/disclosure/").status_code == 200
    list_html = c.get("/disclosure/").content.decode()
    assert ("尚未公开的村务草稿" in list_html) == (role in VIEWERS_B1)
    assert c.get(f"/disclosure/{items.draft.pk}/").status_code == (200 if role in VIEWERS_B1 else 404)
    writer = role in WRITERS_B1
    assert c.get(f"/disclosure/{items.draft.pk}/edit/").status_code == (200 if writer else 404)
    assert c.get(f"/disclosure/{items.party.pk}/correct/").status_code == (200 if writer else 404)
    assert c.get(f"/disclosure/{items.party.pk}/withdraw/").status_code == (200 if writer else 404)
    assert c.get("/disclosure/new/").status_code == (404 if role in {"viewer", "member_user", "outsider"} else 200)
    r = c.post(f"/disclosure/{items.draft.pk}/publish/")
    assert r.status_code == (302 if writer else 404)
    items.draft.refresh_from_db()
    assert (items.draft.status == Status.PUBLISHED) == writer


def _form(**extra):
    data = {"category": "finance", "title": "2025年8月财务收支", "period_label": "2025年8月", "body": "见下表",
            "declared_income": "", "declared_expense": "",
            "lines-TOTAL_FORMS": "4", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "500",
            "lines-0-kind": "income", "lines-0-item": "上级补助", "lines-0-amount": "2,000.00",
            "lines-1-kind": "expense", "lines-1-item": "保洁", "lines-1-amount": "800"}
    data.update(extra)
    return data


def test_secretary_creates_and_publishes_a_finance_item(cast):
    c = login(cast.secretary1)
    r = c.post("/disclosure/new/", _form(org="CA1B1", publish="1"))
    assert r.status_code == 302
    item = DisclosureItem.objects.get()
    assert item.status == Status.PUBLISHED and item.org == cast.tree.b1 and item.lines.count() == 2
    assert "上级补助" in Client().get(f"/gk/CA1B1/{item.pk}/").content.decode()


def test_form_shows_the_totals_error_next_to_the_field(cast):
    c = login(cast.secretary1)
    r = c.post("/disclosure/new/", _form(org="CA1B1", declared_expense="700"))
    assert r.status_code == 200
    assert "支出合计填写为 700.00 元，但各项支出相加为 800.00 元，两者必须一致" in r.content.decode()
    assert not DisclosureItem.objects.exists()


def test_secretary_cannot_create_for_another_branch(cast):
    r = login(cast.secretary1).post("/disclosure/new/", _form(org="CA1B2"))
    assert r.status_code == 200 and "请选择公开单位" in r.content.decode()
    assert not DisclosureItem.objects.exists()


def test_correct_and_withdraw_through_the_pages(items, cast):
    c = login(cast.secretary1)
    data = _form(category="finance", title="2025年7月村级财务收支", correction_note="补记一笔收入",
                 **{"lines-2-kind": "income", "lines-2-item": "租金", "lines-2-amount": "100"})
    r = c.post(f"/disclosure/{items.fin2.pk}/correct/", data)
    assert r.status_code == 302, r.content.decode()
    v3 = DisclosureItem.objects.get(supersedes=items.fin2)
    assert v3.version == 3 and v3.lines.count() == 3
    r = c.post(f"/disclosure/{v3.pk}/withdraw/", {"reason": ""})
    assert "请填写撤回原因" in r.content.decode()
    c.post(f"/disclosure/{v3.pk}/withdraw/", {"reason": "账目重新核对"})
    v3.refresh_from_db()
    assert v3.status == Status.WITHDRAWN
    assert Client().get(f"/gk/CA1B1/{v3.pk}/").status_code == 404


def test_list_query_count_is_bounded(items, cast, django_assert_max_num_queries):
    c = login(cast.city_admin)
    with django_assert_max_num_queries(10):
        assert c.get("/disclosure/").status_code == 200
