"""The /gk/ pages show an organization's code and name and its parent's name: renaming, recoding, moving or deleting
an organization renews its server-cached pages when the change commits, not when the cache expires."""

import pytest
from django.core.cache import cache
from django.test import Client

from dangjian.disclosure import actions, public_cache
from dangjian.orgs import actions as org_actions
from tests.factories import make_org

PUBLIC = Client()


@pytest.fixture
def shared(monkeypatch, items):
    """A shared cache (redis in production): pages are served from it without asking the database."""
    monkeypatch.setattr(public_cache, "shared", lambda: True)
    cache.clear()
    yield
    cache.clear()


def page(code, pk=None):
    r = PUBLIC.get(f"/gk/{code}/" + (f"{pk}/" if pk else ""))
    return r.status_code, r.content.decode()


def test_a_rename_reaches_the_cached_page_on_commit(shared, cast, django_capture_on_commit_callbacks,
                                                    django_assert_max_num_queries):
    assert "城关镇东村党支部" in page("CA1B1")[1]
    with django_assert_max_num_queries(0):
        page("CA1B1")  # from the cache
    with django_capture_on_commit_callbacks() as callbacks:
        org_actions.update_org(cast.tree.b1, {"name": "城关镇东村党总支部"})
    assert "城关镇东村党总支部" not in page("CA1B1")[1]  # not yet committed: the old page still stands
    for callback in callbacks:
        callback()
    html = page("CA1B1")[1]
    assert "城关镇东村党总支部" in html and "城关镇东村党支部<" not in html


def test_a_rename_reaches_the_item_pages_and_the_poster(shared, cast, items, django_capture_on_commit_callbacks):
    page("CA1B1", items.party.pk)
    with django_capture_on_commit_callbacks(execute=True):
        org_actions.update_org(cast.tree.b1, {"name": "东村党支部（新）"})
    assert "东村党支部（新）" in page("CA1B1", items.party.pk)[1]
    assert "东村党支部（新）" in PUBLIC.get("/gk/CA1B1/poster/").content.decode()


def test_renaming_the_parent_renews_the_childrens_pages(shared, cast, django_capture_on_commit_callbacks):
    assert "上级党组织：东县城关镇党委" in page("CA1B1")[1]
    with django_capture_on_commit_callbacks(execute=True):
        org_actions.update_org(cast.tree.town, {"name": "东县城关街道党工委"})
    assert "上级党组织：东县城关街道党工委" in page("CA1B1")[1]
    assert "上级党组织：东县城关街道党工委" in page("CA1B2")[1]


def test_a_new_code_drops_the_pages_of_the_old_one(shared, cast, django_capture_on_commit_callbacks):
    assert page("CA1B1")[0] == 200
    with django_capture_on_commit_callbacks(execute=True):
        org_actions.update_org(cast.tree.b1, {"code": "CA1B1X"})
    assert page("CA1B1")[0] == 404
    assert "城关镇东村党支部" in page("CA1B1X")[1]


def test_a_move_names_the_new_parent(shared, cast, django_capture_on_commit_callbacks):
    page("CA1B1")
    with django_capture_on_commit_callbacks(execute=True):
        org_actions.move_org(cast.tree.b1, cast.tree.district)
    assert "上级党组织：西区区委" in page("CA1B1")[1]


def test_a_deleted_org_leaves_no_page_behind(shared, cast, django_capture_on_commit_callbacks):
    empty = make_org("CA1B7", "城关镇南村党支部", parent=cast.tree.town)
    assert page("CA1B7")[0] == 200
    with django_capture_on_commit_callbacks(execute=True):
        org_actions.delete_org(empty)
    assert page("CA1B7")[0] == 404


def test_fields_the_pages_do_not_show_keep_the_cached_pages(shared, cast, django_capture_on_commit_callbacks):
    page("CA1B1")
    before = public_cache.version("CA1B1")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        org_actions.update_org(cast.tree.b1, {"address": "东村村委会", "contact_person": "王书记"})
    assert public_cache.version("CA1B1") == before and not callbacks


def test_an_org_change_rolled_back_renews_nothing(shared, cast, django_capture_on_commit_callbacks):
    from django.core.exceptions import ValidationError

    before = public_cache.version("CA1B1")
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ValidationError):
            org_actions.update_org(cast.tree.b1, {"name": "新名字", "code": "CA1B2"})  # the code is taken
    assert public_cache.version("CA1B1") == before


def test_without_a_shared_cache_a_parent_rename_is_seen_at_once(cast, items):
    cache.clear()
    assert "上级党组织：东县城关镇党委" in page("CA1B1")[1]
    org_actions.update_org(cast.tree.town, {"name": "东县城关街道党工委"})
    assert "上级党组织：东县城关街道党工委" in page("CA1B1")[1]  # the stamp holds the parent's name


def test_item_writes_still_renew_the_pages(shared, cast, items, django_capture_on_commit_callbacks):
    page("CA1B1")
    with django_capture_on_commit_callbacks(execute=True):
        item = actions.create_draft(cast.tree.b1, {"category": "party", "title": "新的党务公开", "body": "内容"})
        actions.publish(item)
    assert "新的党务公开" in page("CA1B1")[1]
