"""Member search and edit in a real browser, on a desktop and on a 390x844 phone."""

import pytest


@pytest.mark.parametrize("device", ["page", "phone"])
def test_search_by_initials(request, live_server, cast, login, shot, device):
    p = request.getfixturevalue(device)
    login(p, "county_admin")
    p.goto(f"{live_server.url}/members/")
    p.fill("#q", "zw")
    p.wait_for_function("document.querySelector('#member-total').textContent.trim() === '1'")
    visible = p.locator("#results a:visible", has_text="张伟")
    assert visible.count() == 1
    assert p.locator("#results", has_text="王强").count() == 0
    shot(p, f"members-search-{device}")
    visible.first.click()
    p.wait_for_url("**/members/*/")
    assert p.locator("h1").inner_text() == "张伟"
    assert cast.m1.id_number not in p.content()
    p.click("#reveal")
    p.wait_for_selector("text=本次查看完整号码已记录")
    assert cast.m1.id_number in p.locator("#id-number").inner_text()
    shot(p, f"member-detail-{device}")
    # nothing is wider than the screen on the phone
    if device == "phone":
        assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


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
    p.fill("#id_id_number", cast.m1.id_number)
    p.fill("#id_job", "村党支部书记")
    p.click("button[type=submit]")
    p.wait_for_url(f"{live_server.url}/members/{cast.m1.pk}/")
    assert "已保存" in p.content()
