"""The demo city's 三务公开: villages that keep their catalogue, and some that do not."""

import datetime as dt

import pytest

from dangjian.demo import loader
from dangjian.demo.generator import generate
from dangjian.disclosure import queries
from dangjian.disclosure.models import DisclosureItem, Question
from dangjian.orgs.models import Org

TODAY = dt.date(2025, 11, 20)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return loader.load(generate(seed=2, size="small", today=TODAY))


def test_villages_publish_every_category_and_finance_tables_add_up(demo, client):
    assert demo["disclosure"]["disclosure_items"] > 0
    published = DisclosureItem.objects.public()
    assert set(published.values_list("category", flat=True)) == {"party", "village", "finance"}
    for item in published.filter(category="finance").prefetch_related("lines")[:20]:
        income = sum(ln.amount for ln in item.lines.all() if ln.kind == "income")
        assert item.declared_income == income
        assert item.published_at.date() <= TODAY and item.published_at.date() > item.period_end
    corrected = DisclosureItem.objects.filter(supersedes__isnull=False)
    assert corrected.count() == 1
    org = corrected.get().org
    page = client.get(f"/gk/{org.code}/").content.decode()
    assert "已更正" in page and "小微权力" in page


def test_questions_are_answered_in_public_without_the_phone(demo, client):
    answered = Question.objects.exclude(answer="").get()
    page = client.get(f"/gk/{answered.org.code}/{answered.item_id}/").content.decode()
    assert answered.answer in page and answered.phone not in page
    assert Question.objects.filter(answer="").count() == 1  # an objection still waiting for the branch


def test_villages_that_publish_nothing_are_overdue(demo):
    root = Org.objects.get(depth=1)
    rows, total = queries.overdue(root, TODAY.year, TODAY)
    assert total > 0


def test_the_focus_village_has_major_matters_on_time_overdue_and_pending(demo):
    from dangjian.disclosure.models import Matter

    assert demo["disclosure"]["major_matters"] == 3
    states = {m.title: queries.state_of(m, TODAY) for m in Matter.objects.with_published_at()}
    assert sorted(states.values()) == ["overdue", "pending", "published"]
    overdue = next(t for t, s in states.items() if s == "overdue")
    root = Org.objects.get(depth=1)
    rows, total = queries.overdue_matters(root, None, TODAY)
    assert total == 1 and rows[0]["matter_title"] == overdue
