"""重大事项（随时公开）: a major matter is registered with the day it occurred; unpublished 5 days (a local rule) after
that day it is overdue for the committee above, and reminders say so, like the periodic catalogue entries."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.core.models import Event
from dangjian.disclosure import actions, queries, reminders
from dangjian.disclosure.models import CatalogEntry, DisclosureItem, Matter
from dangjian.orglife.models import Reminder
from tests.factories import make_user

D = dt.date
MAJOR = "涉及群众切身利益的重大事项（四议两公开决议及实施结果）"  # village, reviewed by the supervision committee
RECRUIT = "发展党员公示（确定发展对象、接收预备党员、预备党员转正）"  # party, reviewed by the committee above


@pytest.fixture
def catalog(cast):
    actions.install_default_catalog(cast.tree.county, effective_from=D(2025, 1, 1), by=cast.county_admin)
    return {e.title: e for e in CatalogEntry.objects.filter(domain="rural")}


@pytest.fixture
def road(cast, catalog):
    """东村 decided on its road on 2 March 2025 (deadline 7 March)."""
    return actions.register_matter(cast.tree.b1, {"catalog_entry": catalog[MAJOR], "occurred_on": "2025-03-02",
                                                  "title": "村道硬化工程实施方案（村民代表会议表决通过）"},
                                   by=cast.secretary1)


def _publish(org, matter, *, on: dt.date | None = None, **extra):
    """An item about `matter` through the supervision review; published on `on` (default: now)."""
    item = actions.create_draft(org, {"title": f"{matter.title}公示", "body": "决议内容",
                                      "catalog_entry": matter.catalog_entry, "matter": matter, **extra})
    actions.submit(item)
    reviewer = make_user(f"jd_{org.code}_{item.pk}")
    actions.add_seat(org, reviewer)
    item = actions.approve(item, by=reviewer, publish_now=True)
    if on is not None:
        at = timezone.make_aware(dt.datetime.combine(on, dt.time(10)))
        DisclosureItem.objects.filter(pk=item.pk).update(published_at=at)
        item.published_at = at
    return item


def _overdue(root, today, year=2025):
    rows, total = queries.overdue_matters(root, year, today)
    assert total == len(rows)
    return rows


def test_registering_names_the_entry_the_day_and_is_audited(cast, road):
    assert road.org == cast.tree.b1 and road.org_path == cast.tree.b1.path
    assert road.deadline == D(2025, 3, 7)
    event = Event.objects.get(verb="disclosure.matter_register")
    assert event.actor == cast.secretary1 and event.detail["occurred_on"] == "2025-03-02"


def test_registration_is_checked_in_chinese(cast, catalog):
    with pytest.raises(ValidationError) as e:
        actions.register_matter(cast.tree.b1, {"catalog_entry": catalog["集体财务收支明细"], "title": "",
                                               "occurred_on": timezone.localdate() + dt.timedelta(days=1)})
    errors = e.value.message_dict
    assert "每月公开" in errors["catalog_entry"][0] and "不需要登记" in errors["catalog_entry"][0]
    assert "请填写事项名称" in errors["title"][0]
    assert "不能晚于今天" in errors["occurred_on"][0]
    with pytest.raises(ValidationError) as e:  # 花园社区 is not bound by 东县's catalogue
        actions.register_matter(cast.tree.b3, {"catalog_entry": catalog[MAJOR], "title": "x", "occurred_on": "2025-03-02"})
    assert "适用于西区花园社区党支部" in e.value.message_dict["catalog_entry"][0]
    with pytest.raises(ValidationError) as e:
        actions.register_matter(cast.tree.b1, {"catalog_entry": catalog[MAJOR], "title": "联系人 13812345678",
                                               "occurred_on": "2025-03-02"})
    assert "手机号" in e.value.message_dict["title"][0]
    assert not Matter.objects.exists()


def test_unpublished_matter_is_overdue_the_day_after_its_deadline(cast, road):
    assert _overdue(cast.tree.town, D(2025, 3, 7)) == []  # the last day is still in time
    [row] = _overdue(cast.tree.town, D(2025, 3, 8))
    assert (row["org_code"], row["matter_title"], row["occurred_on"], row["deadline"], row["days_late"]) == (
        "CA1B1", road.title, D(2025, 3, 2), D(2025, 3, 7), 1)
    assert row["entry_title"] == MAJOR and row["category_label"] == "村务"
    assert _overdue(cast.tree.county, D(2025, 4, 1))[0]["days_late"] == 25  # the county sees it too
    assert _overdue(cast.tree.b2, D(2025, 4, 1)) == []  # not the neighbouring village's


def test_the_number_of_days_is_a_local_setting(cast, road, settings):
    settings.DANGJIAN_RULES = {"disclosure.major_within_days": 10}
    assert _overdue(cast.tree.town, D(2025, 3, 12)) == []
    assert len(_overdue(cast.tree.town, D(2025, 3, 13))) == 1


def test_publishing_in_time_takes_it_off_the_list(cast, road):
    _publish(cast.tree.b1, road, on=D(2025, 3, 7))
    assert _overdue(cast.tree.town, D(2025, 4, 1)) == []
    m = Matter.objects.with_published_at().get(pk=road.pk)
    assert queries.state_of(m, D(2025, 4, 1)) == "published"


def test_publishing_late_counts_as_published_late(cast, road):
    _publish(cast.tree.b1, road, on=D(2025, 3, 9))
    assert _overdue(cast.tree.town, D(2025, 4, 1)) == []
    assert queries.state_of(Matter.objects.with_published_at().get(pk=road.pk), D(2025, 4, 1)) == "late"


def test_a_withdrawn_item_puts_the_matter_back_and_a_correction_keeps_it(cast, road):
    item = _publish(cast.tree.b1, road)
    new = actions.correct(item, {"body": "更正后的决议内容"}, note="更正")
    assert new.matter == road and _overdue(cast.tree.town, D(2025, 4, 1)) == []
    actions.withdraw(new, reason="内容有误")
    assert [r["matter_id"] for r in _overdue(cast.tree.town, D(2025, 4, 1))] == [road.pk]


def test_an_item_with_the_matter_date_registers_the_matter(cast, catalog):
    item = actions.create_draft(cast.tree.b1, {"title": "接收李娜为预备党员公示", "body": "公示内容",
                                               "catalog_entry": catalog[RECRUIT].pk, "occurred_on": "2025-06-01"},
                                by=cast.secretary1)
    matter = item.matter
    assert (matter.title, matter.occurred_on, matter.catalog_entry, matter.org) == (
        "接收李娜为预备党员公示", D(2025, 6, 1), catalog[RECRUIT], cast.tree.b1)
    assert item.category == "party"
    assert [r["matter_id"] for r in _overdue(cast.tree.town, D(2025, 6, 7))] == [matter.pk]  # a draft is not published


def test_an_immediate_item_needs_its_matter(cast, catalog):
    with pytest.raises(ValidationError) as e:
        actions.create_draft(cast.tree.b1, {"title": "x", "body": "y", "catalog_entry": catalog[MAJOR]})
    assert "请填写事项发生日期" in e.value.message_dict["occurred_on"][0] and "5日内" in e.value.message_dict["occurred_on"][0]
    with pytest.raises(ValidationError) as e:
        actions.create_draft(cast.tree.b1, {"title": "x", "body": "y", "catalog_entry": catalog["集体财务收支明细"],
                                            "period": "2025-01", "occurred_on": "2025-01-05"})
    assert "不填写事项发生日期" in e.value.message_dict["occurred_on"][0]
    with pytest.raises(ValidationError) as e:
        actions.create_draft(cast.tree.b1, {"category": "village", "title": "x", "body": "y", "occurred_on": "2025-01-05"})
    assert "只有公开目录中随时公开的事项" in e.value.message_dict["occurred_on"][0]
    assert not Matter.objects.exists()


def test_an_item_cannot_publish_another_orgs_or_entrys_matter(cast, catalog, road):
    with pytest.raises(ValidationError) as e:
        actions.create_draft(cast.tree.b2, {"title": "x", "body": "y", "catalog_entry": catalog[MAJOR], "matter": road.pk})
    assert "城关镇西村党支部没有这项待公开事项" in e.value.message_dict["matter"][0]
    with pytest.raises(ValidationError) as e:
        actions.create_draft(cast.tree.b1, {"title": "x", "body": "y", "catalog_entry": catalog[RECRUIT], "matter": road.pk})
    assert "属于公开目录事项" in e.value.message_dict["matter"][0]
    with pytest.raises(ValidationError) as e:
        actions.create_draft(cast.tree.b1, {"title": "x", "body": "y", "catalog_entry": catalog[MAJOR],
                                            "matter": road.pk, "occurred_on": "2025-03-01"})
    assert "不必再填写发生日期" in e.value.message_dict["occurred_on"][0]


def test_editing_a_draft_keeps_its_matter(cast, road):
    item = actions.create_draft(cast.tree.b1, {"title": "道路公示", "body": "y", "catalog_entry": road.catalog_entry,
                                               "matter": road})
    item = actions.update_draft(item, {"body": "修改后"})
    assert item.matter == road
    item = actions.update_draft(item, {"catalog_entry": road.catalog_entry.pk, "matter": "", "occurred_on": None})
    assert item.matter == road  # the web form posts an empty choice: the matter stays


def test_cancelling_takes_a_mistaken_matter_off_the_list(cast, road):
    with pytest.raises(ValidationError) as e:
        actions.cancel_matter(road, reason=" ")
    assert "请填写撤销原因" in e.value.message_dict["reason"][0]
    actions.cancel_matter(road, reason="重复登记", by=cast.secretary1)
    assert _overdue(cast.tree.town, D(2025, 4, 1)) == []
    assert Event.objects.filter(verb="disclosure.matter_cancel", actor=cast.secretary1).exists()
    with pytest.raises(ValidationError) as e:
        actions.create_draft(cast.tree.b1, {"title": "x", "body": "y", "catalog_entry": road.catalog_entry,
                                            "matter": road.pk})
    assert "已撤销登记" in e.value.message_dict["matter"][0]
    with pytest.raises(ValidationError):
        actions.cancel_matter(road, reason="再次")


def test_a_published_matter_cannot_be_cancelled(cast, road):
    _publish(cast.tree.b1, road)
    with pytest.raises(ValidationError) as e:
        actions.cancel_matter(road, reason="不想公开")
    assert "已经公开，不能撤销登记" in e.value.messages[0]


def test_the_year_is_the_year_the_matter_occurred(cast, catalog):
    actions.register_matter(cast.tree.b2, {"catalog_entry": catalog[MAJOR], "title": "年底的事项",
                                           "occurred_on": "2024-12-30"})
    assert [r["matter_title"] for r in _overdue(cast.tree.town, D(2025, 1, 10), year=2024)] == ["年底的事项"]
    assert _overdue(cast.tree.town, D(2025, 1, 10), year=2025) == []
    assert len(queries.overdue_matters(cast.tree.town, None, D(2025, 1, 10))[0]) == 1


def test_matters_of_an_inactive_entry_are_not_checked(cast, catalog, road):
    actions.update_entry(catalog[MAJOR], {"active": False})
    assert _overdue(cast.tree.town, D(2025, 4, 1)) == []


def test_overdue_matters_is_one_query_plus_a_count(cast, catalog, road, django_assert_max_num_queries):
    for n in range(5):
        actions.register_matter(cast.tree.b2, {"catalog_entry": catalog[MAJOR], "title": f"事项{n}",
                                               "occurred_on": D(2025, 3, 1 + n)})
    with django_assert_max_num_queries(2):
        rows, total = queries.overdue_matters(cast.tree.county, 2025, D(2025, 4, 1))
    assert total == 6 and len(rows) == 6


def test_matters_follow_their_org_when_it_moves(cast, road):
    from dangjian.orgs.actions import move_org, path_copying_models

    assert Matter in path_copying_models()
    move_org(cast.tree.b1, cast.tree.district)
    road.refresh_from_db()
    assert road.org_path.startswith(cast.tree.district.path)


def test_reminders_before_the_deadline_and_after_it(cast, road):
    make_user("town_admin_2", "admin", cast.tree.town)
    reminders.run(D(2025, 3, 4))  # 3 days before 7 March
    due = Reminder.objects.filter(user=cast.secretary1, kind="due", key__endswith=f":m{road.pk}")
    assert due.count() == 1
    title = due.get().title
    assert road.title in title and "3月2日发生" in title and "3天后截止（03月07日）" in title
    assert f"matter={road.pk}" in due.get().url
    reminders.run(D(2025, 3, 8))
    late = Reminder.objects.filter(kind="missed", key__endswith=f":m{road.pk}")
    assert {r.user.username for r in late} == {"town_admin", "town_admin_2"}  # the committee directly above
    assert "逾期未公开（应于2025-03-07前公开）" in late.first().title and late.first().period == "2025-03-02"
    before = Reminder.objects.count()
    reminders.run(D(2025, 3, 8))
    assert Reminder.objects.count() == before  # idempotent


def test_no_reminder_once_published(cast, road):
    _publish(cast.tree.b1, road)
    reminders.run(D(2025, 3, 4))
    reminders.run(D(2025, 3, 8))
    assert not Reminder.objects.filter(key__endswith=f":m{road.pk}").exists()


def test_todo_counts_by_who_must_act_on_a_day(cast, road, django_assert_num_queries):
    """待我处理 on the home page: the branch for its own matter, due then overdue; the committees above once overdue."""
    from django.contrib.auth.models import AnonymousUser

    assert queries.matter_todo(cast.secretary1, D(2025, 3, 4)) == {"own_overdue": 0, "own_due": 1, "below_overdue": 0}
    assert queries.matter_todo(cast.town_admin, D(2025, 3, 7))["below_overdue"] == 0  # the last day is on time
    for user in (cast.town_admin, cast.county_admin):
        assert queries.matter_todo(user, D(2025, 3, 8)) == {"own_overdue": 0, "own_due": 0, "below_overdue": 1}
    assert queries.matter_todo(cast.secretary1, D(2025, 3, 8))["own_overdue"] == 1
    root = make_user("root_user")
    root.is_superuser = True
    root.save()
    assert queries.matter_todo(root, D(2025, 3, 8))["below_overdue"] == 1
    with django_assert_num_queries(1):  # the grants; nothing to count
        assert queries.matter_todo(cast.outsider, D(2025, 3, 8)) == {"own_overdue": 0, "own_due": 0,
                                                                       "below_overdue": 0}
    assert queries.matter_todo(AnonymousUser(), D(2025, 3, 8))["own_due"] == 0
    assert queries.matter_todo(cast.secretary2, D(2025, 3, 8)) == {"own_overdue": 0, "own_due": 0, "below_overdue": 0}
