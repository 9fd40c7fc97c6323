"""Browsing the organization tree as a county administrator (desktop) and as a township office and a
branch secretary on a phone: expand a level (htmx), search, open an organization, move one with the
picker. Screenshots land in tests/screenshots/ (org-*.png)."""

import datetime as dt

from dangjian.orgs import actions
from tests.factories import make_org


def _prepare(cast):
    term = actions.add_term(cast.tree.b1, elected_on=dt.date(2023, 3, 1))
    actions.add_committee_member(term, name="张伟", position="secretary", started_on=dt.date(2023, 3, 1))
    actions.add_committee_member(term, name="李娜", position="member", duty="组织委员", started_on=dt.date(2023, 3, 1))
    actions.add_term(cast.tree.b2, elected_on=dt.date(2018, 3, 1))
    # A second township with a branch of a similar name: search must tell them apart.
    town2 = make_org("CA2", "东县新城镇党委", "committee", parent=cast.tree.county)
    make_org("CA2B1", "新城镇东村党支部", parent=town2)


def test_county_admin_browses_searches_and_opens(page, live_server, cast, login, shot):
    _prepare(cast)
    login(page, "county_admin")
    shot(page, "org-home-desktop")
    assert "换届提醒" in page.locator("#warnings").inner_text()
    page.click("nav >> text=组织架构")
    page.wait_for_url(f"{live_server.url}/orgs/")
    tree = page.locator(".org-tree")
    # The county is opened one level; the township is collapsed until asked.
    assert tree.locator("text=东县城关镇党委").is_visible()
    assert tree.locator("text=城关镇东村党支部").count() == 0
    tree.locator('details[data-code="CA1"] > summary .org-caret').click()
    tree.locator("text=城关镇东村党支部").wait_for()
    assert tree.locator("text=城关镇西村党支部").is_visible()
    shot(page, "org-tree-desktop")

    page.fill("input[name=q]", "东村")
    results = page.locator("#search-results .list-group-item")
    results.first.wait_for()
    assert results.count() == 2
    text = page.locator("#search-results").inner_text()
    assert "东县城关镇党委 ›" in text and "东县新城镇党委 ›" in text
    shot(page, "org-search-desktop")
    page.locator("#search-results a", has_text="城关镇东村党支部").click()
    page.wait_for_url(f"{live_server.url}/orgs/CA1B1/")
    assert "张伟" in page.locator("#committee").inner_text()
    assert "任期内" in page.locator("#committee").inner_text()
    shot(page, "org-detail-desktop")


def test_county_admin_moves_a_branch_with_the_picker(page, live_server, cast, login, shot):
    _prepare(cast)
    login(page, "county_admin")
    page.goto(f"{live_server.url}/orgs/CA1B2/move/")
    page.fill("#picker-parent", "新城")
    option = page.locator(".picker-results button", has_text="东县新城镇党委")
    option.wait_for()
    assert page.locator(".picker-results button", has_text="党支部").count() == 0  # branches cannot be parents
    option.click()
    assert "东县新城镇党委" in page.locator(".picker-chosen").inner_text()
    page.fill("#id_reason", "行政区划调整")
    shot(page, "org-move-desktop")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/orgs/CA1B2/")
    assert "已将“城关镇西村党支部”调整到“东县新城镇党委”之下" in page.locator(".alert-success").inner_text()
    assert "东县新城镇党委" in page.locator(".breadcrumb").inner_text()


def test_township_office_on_a_phone(phone, live_server, cast, login, shot):
    _prepare(cast)
    login(phone, "town_admin")
    shot(phone, "org-home-phone")
    phone.goto(f"{live_server.url}/orgs/")
    tree = phone.locator(".org-tree")
    tree.locator("text=城关镇东村党支部").wait_for()  # the township's one level is already open
    shot(phone, "org-tree-phone")
    phone.fill("input[name=q]", "西村")
    phone.locator("#search-results .list-group-item").first.wait_for()
    phone.locator("#search-results a").first.click()
    phone.wait_for_url(f"{live_server.url}/orgs/CA1B2/")
    assert "已届满未换届" in phone.locator("#committee").inner_text()
    shot(phone, "org-detail-phone")
    # Nothing wider than the screen: a secretary should never have to scroll sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_secretary_on_a_phone_sees_only_their_branch(phone, live_server, cast, login, shot):
    _prepare(cast)
    login(phone, "secretary1")
    phone.goto(f"{live_server.url}/orgs/")
    text = phone.locator(".org-tree").inner_text()
    assert "城关镇东村党支部" in text and "西村" not in text
    phone.locator(".org-tree a", has_text="城关镇东村党支部").click()
    phone.wait_for_url(f"{live_server.url}/orgs/CA1B1/")
    assert phone.locator("text=编辑").count() == 0
    shot(phone, "org-detail-secretary-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
