"""公开目录: a committee installs and edits its catalogue; organizations below that have not published an entry
for a period after its deadline are overdue; reminders go to them and to the committee above."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from dangjian.disclosure import actions, queries, reminders
from dangjian.disclosure.models import CatalogEntry
from dangjian.orglife.models import Reminder
from dangjian.rules import disclosure as rules

D = dt.date


@pytest.fixture
def catalog(cast):
    actions.install_default_catalog(cast.tree.county, effective_from=D(2025, 1, 1), by=cast.county_admin)
    return {e.title: e for e in CatalogEntry.objects.filter(domain="rural")}


def test_default_catalog_follows_the_law_for_villages(catalog):
    fin = catalog["集体财务收支明细"]
    assert fin.frequency == "monthly" and fin.category == "finance" and "第三十条" in fin.source
    assert catalog["惠农惠民政策落实、低保和救助资金物资发放"].frequency == "quarterly"
    assert catalog["涉及群众切身利益的重大事项（四议两公开决议及实施结果）"].frequency == "immediate"
    assert CatalogEntry.objects.filter(domain="community").count() == len(catalog)


def test_installing_twice_adds_nothing(cast, catalog):
    assert actions.install_default_catalog(cast.tree.county) == 0


def test_catalog_binds_the_owners_subtree_by_domain(cast, catalog):
    t = cast.tree
    assert set(queries.catalog_for(t.b1)) == set(catalog.values())
    assert {e.domain for e in queries.catalog_for(t.b3)} == set()  # CB01 is under 西区, not 东县
    assert list(queries.catalog_for(t.town)) == []  # a town committee is not a village-level organization


def test_deadline_is_fifteen_days_after_the_period():
    assert rules.deadline("2025-Q1") == D(2025, 4, 15)
    assert rules.deadline("2025-07") == D(2025, 8, 15)
    assert rules.deadline("2025") == D(2026, 1, 15)


def test_grace_days_are_a_local_setting(settings):
    settings.DANGJIAN_RULES = {"disclosure.grace_days": 10}
    assert rules.deadline("2025-Q1") == D(2025, 4, 10)


def _published(org, entry, period, **extra):
    """Through the review the entry asks for: a member of the village's supervision committee approves."""
    from tests.factories import make_user

    item = actions.create_draft(org, {"title": f"{entry.title} {period}", "body": "内容", "catalog_entry": entry,
                                      "period": period, **extra})
    actions.submit(item)
    reviewer = make_user(f"jd_{org.code}_{item.pk}")
    actions.add_seat(org, reviewer)
    return actions.approve(item, by=reviewer, publish_now=True)


def test_overdue_lists_each_org_entry_and_period_not_published(cast, catalog):
    t = cast.tree
    fin = catalog["集体财务收支明细"]
    _published(t.b1, fin, "2025-01")
    rows, total = queries.overdue(t.town, 2025, D(2025, 2, 16))  # January's deadline (15 Feb) has passed
    assert total == len(rows)
    got = {(r["org_code"], r["entry_title"], r["period"]) for r in rows}
    assert ("CA1B2", "集体财务收支明细", "2025-01") in got
    assert ("CA1B1", "集体财务收支明细", "2025-01") not in got
    assert all(r["frequency"] == "monthly" for r in rows)  # no quarter has ended its grace yet


def test_on_the_deadline_day_nothing_is_overdue_yet(cast, catalog):
    assert queries.overdue(cast.tree.town, 2025, D(2025, 2, 15))[1] == 0


def test_a_corrected_item_still_counts_as_published(cast, catalog):
    fin = catalog["集体财务收支明细"]
    item = _published(cast.tree.b2, fin, "2025-01")
    actions.correct(item, {"body": "更正后的内容"}, note="更正")
    rows, _ = queries.overdue(cast.tree.town, 2025, D(2025, 2, 16))
    assert ("CA1B2", "2025-01") not in {(r["org_code"], r["period"]) for r in rows}


def test_a_withdrawn_item_does_not_count(cast, catalog):
    item = _published(cast.tree.b2, catalog["集体财务收支明细"], "2025-01")
    actions.withdraw(item, reason="有误")
    rows, _ = queries.overdue(cast.tree.town, 2025, D(2025, 2, 16))
    assert ("CA1B2", "2025-01") in {(r["org_code"], r["period"]) for r in rows if r["frequency"] == "monthly"}


def test_a_corrected_item_withdrawn_is_overdue_again(cast, catalog):
    # The withdrawal takes every version off the public page, the superseded one included.
    item = _published(cast.tree.b2, catalog["集体财务收支明细"], "2025-01")
    new = actions.correct(item, {"body": "更正后的内容"}, note="更正")
    actions.withdraw(new, reason="有误")
    rows, _ = queries.overdue(cast.tree.town, 2025, D(2025, 2, 16))
    assert ("CA1B2", "2025-01") in {(r["org_code"], r["period"]) for r in rows if r["frequency"] == "monthly"}


def test_periods_before_an_entry_took_effect_are_not_checked(cast, catalog):
    actions.update_entry(catalog["集体财务收支明细"], {"effective_from": "2025-03-01"})
    rows, _ = queries.overdue(cast.tree.town, 2025, D(2025, 4, 1))
    periods = {r["period"] for r in rows if r["entry_title"] == "集体财务收支明细"}
    assert "2025-01" not in periods and "2025-02" not in periods


def test_inactive_entries_are_not_checked(cast, catalog):
    for e in catalog.values():
        actions.update_entry(e, {"active": False})
    assert queries.overdue(cast.tree.county, 2025, D(2026, 2, 1))[1] == 0


def test_overdue_is_one_statement_plus_a_count(cast, catalog, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        _rows, total = queries.overdue(cast.tree.county, 2025, D(2026, 2, 1))
    # two villages × (12 months + 4 quarters × 5 quarterly entries + 2 yearly entries)
    assert total == 2 * (12 + 4 * 5 + 2)


def test_catalog_item_must_match_frequency_and_org(cast, catalog):
    fin = catalog["集体财务收支明细"]
    with pytest.raises(ValidationError) as e:
        actions.create_draft(cast.tree.b1, {"title": "x", "body": "y", "catalog_entry": fin, "period": "2025-Q1"})
    assert "2025-07" in str(e.value.message_dict["period"])
    with pytest.raises(ValidationError) as e:
        actions.create_draft(cast.tree.b3, {"title": "x", "body": "y", "catalog_entry": fin, "period": "2025-01"})
    assert "不适用于" in str(e.value.message_dict["catalog_entry"])


def test_entry_fields_are_validated_in_chinese(cast):
    with pytest.raises(ValidationError) as e:
        actions.create_entry(cast.tree.county, {"domain": "rural", "category": "x", "frequency": "weekly",
                                                "title": "", "publisher": "村委会"})
    errors = e.value.message_dict
    assert "公开类别" in errors["category"][0] and "公开频次" in errors["frequency"][0] and "请填写" in errors["title"][0]


def test_reminders_before_the_deadline_and_after_it(cast, catalog):
    from tests.factories import make_user

    make_user("b2_admin", "admin", cast.tree.b2)
    result = reminders.run(D(2025, 2, 12))  # January's finance is due on 15 February
    assert result["due"] >= 2 and result["missed"] == 0
    due = Reminder.objects.filter(user=cast.secretary1, kind="due")
    assert due.exists() and "集体财务收支明细" in due.first().title and "3天后截止" in due.first().title
    reminders.run(D(2025, 2, 16))
    late = Reminder.objects.filter(user=cast.town_admin, kind="missed")
    assert {r.org.code for r in late} == {"CA1B1", "CA1B2"}
    assert not Reminder.objects.filter(user=cast.county_admin).exists()  # only the committee directly above
    before = Reminder.objects.count()
    reminders.run(D(2025, 2, 16))
    assert Reminder.objects.count() == before  # idempotent
