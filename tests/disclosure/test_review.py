"""Review before publication where the catalogue asks for it: draft → submitted → approved (→ published) or
returned with a reason; the committee above or the village's supervision committee reviews, never the author."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from dangjian.disclosure import actions, queries
from dangjian.disclosure.models import CatalogEntry, Status
from tests.factories import make_user


@pytest.fixture
def entries(cast):
    actions.install_default_catalog(cast.tree.county, effective_from=dt.date(2025, 1, 1))
    rural = CatalogEntry.objects.filter(domain="rural")
    return {"above": rural.get(title="党费收缴、使用和管理情况"), "supervision": rural.get(title="集体财务收支明细"),
            "none": rural.get(title="三会一课、主题党日开展情况")}


def _draft(cast, entry, period):
    return actions.create_draft(cast.tree.b1, {"title": "本期公开", "body": "内容", "catalog_entry": entry,
                                                "period": period}, by=cast.secretary1)


def login(user):
    c = Client()
    c.force_login(user)
    return c


def test_item_needing_review_cannot_be_published_directly(cast, entries):
    item = _draft(cast, entries["above"], "2025-Q1")
    with pytest.raises(ValidationError, match="上级党组织审核"):
        actions.publish(item, by=cast.secretary1)


def test_committee_above_approves_and_the_author_publishes(cast, entries):
    item = actions.submit(_draft(cast, entries["above"], "2025-Q1"), by=cast.secretary1)
    assert set(queries.reviewable(cast.town_admin)) == {item}
    assert not queries.reviewable(cast.secretary1).exists() and not queries.reviewable(cast.viewer).exists()
    actions.approve(item, by=cast.town_admin, note="同意")
    assert actions.publish(item, by=cast.secretary1).status == Status.PUBLISHED


def test_returned_with_reason_goes_back_to_the_author(cast, entries):
    item = actions.submit(_draft(cast, entries["above"], "2025-Q1"), by=cast.secretary1)
    with pytest.raises(ValidationError):
        actions.return_item(item, reason=" ", by=cast.town_admin)
    actions.return_item(item, reason="请补充党费使用明细", by=cast.town_admin)
    item.refresh_from_db()
    assert item.status == Status.RETURNED
    html = login(cast.secretary1).get(f"/disclosure/{item.pk}/").content.decode()
    assert "请补充党费使用明细" in html and "提交审核" in html
    actions.update_draft(item, {"body": "补充后的内容"}, by=cast.secretary1)
    item.refresh_from_db()
    assert item.status == Status.DRAFT
    assert actions.submit(item, by=cast.secretary1).status == Status.SUBMITTED


def test_nobody_reviews_what_they_submitted(cast, entries):
    item = actions.submit(_draft(cast, entries["above"], "2025-Q1"), by=cast.town_admin)
    with pytest.raises(ValidationError, match="不能审核自己提交的内容"):
        actions.approve(item, by=cast.town_admin)


def test_supervision_committee_reviews_village_finance(cast, entries):
    item = actions.submit(_draft(cast, entries["supervision"], "2025-01"), by=cast.secretary1)
    assert not queries.reviewable(cast.town_admin).exists()  # the catalogue names the supervision committee
    jd = make_user("jiandu_b1")
    actions.add_seat(cast.tree.b1, jd, by=cast.town_admin)
    other = make_user("jiandu_b2")
    actions.add_seat(cast.tree.b2, other, by=cast.town_admin)
    assert set(queries.reviewable(jd)) == {item} and not queries.reviewable(other).exists()
    r = login(jd).post(f"/disclosure/reviews/{item.pk}/", {"decision": "approve", "note": "账实相符"})
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.APPROVED
    assert login(other).get(f"/disclosure/reviews/{item.pk}/").status_code == 404


def test_review_pages_by_role(cast, entries):
    item = actions.submit(_draft(cast, entries["above"], "2025-Q1"), by=cast.secretary1)
    for role, code in (("town_admin", 200), ("county_admin", 200), ("secretary1", 404), ("secretary2", 404),
                       ("viewer", 404), ("member_user", 404), ("outsider", 404)):
        c = login(getattr(cast, role))
        assert c.get("/disclosure/reviews/").status_code == 200
        assert c.get(f"/disclosure/reviews/{item.pk}/").status_code == code, role
    assert "本期公开" in login(cast.town_admin).get("/disclosure/reviews/").content.decode()
    r = login(cast.town_admin).post(f"/disclosure/reviews/{item.pk}/", {"decision": "return", "note": ""})
    assert r.status_code == 200 and "请填写退回原因" in r.content.decode()
    assert Client().get("/disclosure/reviews/").status_code == 302


def test_submit_page_by_scope(cast, entries):
    item = _draft(cast, entries["above"], "2025-Q1")
    assert login(cast.secretary2).post(f"/disclosure/{item.pk}/submit/").status_code == 404
    assert login(cast.viewer).post(f"/disclosure/{item.pk}/submit/").status_code == 404
    assert login(cast.secretary1).post(f"/disclosure/{item.pk}/submit/").status_code == 302
    item.refresh_from_db()
    assert item.status == Status.SUBMITTED


def test_item_without_review_publishes_directly(cast, entries):
    item = _draft(cast, entries["none"], "2025-Q1")
    with pytest.raises(ValidationError, match="不需要审核"):
        actions.submit(item)
    assert actions.publish(item).status == Status.PUBLISHED
