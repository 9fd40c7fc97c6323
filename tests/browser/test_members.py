"""Member search, filters, edit and add in a real browser, on a desktop and on a 390x844 phone."""

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.core import idcard


def _no_sideways_scroll(p):
    assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("device", ["page", "phone"])
def test_search_by_initials(request, live_server, cast, login, shot, device):
    p = request.getfixturevalue(device)
    login(p, "county_admin")
    p.goto(f"{live_server.url}/members/")
    p.evaluate("window.__same_page = true")  # survives htmx swaps, not a reload
    p.fill("#q", "zw")
    p.wait_for_function("document.querySelector('#member-total').textContent.trim() === '1'")
    assert p.evaluate("window.__same_page === true")
    visible = p.locator("#results a:visible", has_text="张伟")
    assert visible.count() == 1
    assert p.locator("#results", has_text="王强").count() == 0
    # the export buttons follow the search
    assert "q=zw" in p.locator("#export-links a").first.get_attribute("href")
    assert cast.m1.id_number not in p.content()
    shot(p, f"members-search-{device}")
    if device == "phone":
        _no_sideways_scroll(p)
    visible.first.click()
    p.wait_for_url("**/members/*/")
    assert p.locator("h1").inner_text() == "张伟"
    assert cast.m1.id_number not in p.content()
    p.click("#reveal")
    p.wait_for_selector("text=本次查看完整号码已记录")
    assert cast.m1.id_number in p.locator("#id-number").inner_text()
    shot(p, f"member-detail-{device}")
    if device == "phone":
        _no_sideways_scroll(p)
    p.click("text=历史")
    p.wait_for_url("**/history/")
    assert "查看完整身份证号和电话" in p.locator("#events").inner_text()
    shot(p, f"member-history-{device}")


def test_filters_refresh_the_table_without_reload_on_a_phone(phone, live_server, cast, login, shot):
    p = phone
    login(p, "county_admin")
    p.goto(f"{live_server.url}/members/")
    # on a phone the filters fold away behind one button, so the list starts near the top
    assert not p.locator("#f-gender").is_visible()
    p.evaluate("window.__same_page = true")
    p.click("button[aria-controls=more-filters]")
    p.wait_for_selector("#more-filters.show")  # the fold-out animation has finished
    p.select_option("#f-gender", "F")
    p.wait_for_function("document.querySelector('#member-total').textContent.trim() === '1'")
    assert p.evaluate("window.__same_page === true")
    assert p.locator(".member-cards", has_text="李娜").count() == 1
    assert "gender=F" in p.url and "gender=F" in p.locator("#export-links a").first.get_attribute("href")
    shot(p, "members-filter-phone")
    # a bad year is explained in the page instead of failing silently
    p.fill("#f-joined", "20x5")
    p.locator("#f-joined").dispatch_event("change")
    p.wait_for_selector("#filter-error")
    assert "入党年份“20x5”无效" in p.locator("#filter-error").inner_text()
    _no_sideways_scroll(p)


def test_history_roster_banner(page, live_server, cast, login, shot):
    login(page, "county_admin")
    today = timezone.localdate()
    page.goto(f"{live_server.url}/members/?as_of={today.isoformat()}")
    assert f"历史名单：截至 {today.year}年{today.month}月{today.day}日" in page.locator("#as-of-banner").inner_text()
    assert page.locator("#member-total").inner_text() == "3"
    shot(page, "members-as-of-page")


@pytest.mark.parametrize("device", ["page", "phone"])
def test_edit_with_bad_id_shows_error_next_to_field(request, live_server, cast, login, shot, device):
    p = request.getfixturevalue(device)
    login(p, "secretary1")
    p.goto(f"{live_server.url}/members/{cast.m1.pk}/edit/")
    p.fill("#id_id_number", cast.m1.id_number[:-1] + ("1" if cast.m1.id_number[-1] != "1" else "2"))
    p.click("button[type=submit]")
    err = p.locator("#id_id_number ~ .invalid-feedback")
    assert "校验位" in err.inner_text()
    shot(p, f"member-edit-error-{device}")
    if device == "phone":
        _no_sideways_scroll(p)
    p.fill("#id_id_number", cast.m1.id_number)
    p.fill("#id_job", "村党支部书记")
    p.click("button[type=submit]")
    p.wait_for_url(f"{live_server.url}/members/{cast.m1.pk}/")
    assert "已保存" in p.content()


def test_add_member_on_a_phone_with_branch_list(phone, live_server, cast, login, shot):
    p = phone
    login(p, "town_admin")
    p.goto(f"{live_server.url}/members/new/")
    p.select_option("#id_org", "CA1B2")
    p.fill("#id_name", "周杰")
    p.fill("#id_id_number", idcard.make("370102", dt.date(1992, 4, 9), 31))
    p.select_option("#id_education", "college")
    p.fill("#id_joined_on", "2016-07-01")
    p.fill("#id_confirmed_on", "2015-07-01")  # before joining: refused next to the field
    p.click("button[type=submit]")
    assert "转正日期应晚于入党日期" in p.locator("#id_confirmed_on ~ .invalid-feedback").inner_text()
    assert p.locator("#id_org").input_value() == "CA1B2"  # the choices survive the error
    shot(p, "member-add-error-phone")
    p.fill("#id_confirmed_on", "2017-07-01")
    p.click("button[type=submit]")
    p.wait_for_url("**/members/*/")
    body = p.locator("main").inner_text()
    assert "周杰" in body and "1992-04-09" in body and "城关镇西村党支部" in body and "已添加党员" in body
    _no_sideways_scroll(p)
