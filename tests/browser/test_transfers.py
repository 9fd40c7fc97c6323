"""On a phone (390x844): a town admin approves from the to-do list; a secretary starts a transfer with the
htmx branch search. (Here rather than in tests/transfers: one Playwright session per test run.)"""

from dangjian.transfers import actions
from dangjian.transfers.models import Transfer


def test_approve_from_todo_on_phone(phone, live_server, cast, login, shot):
    t = actions.start(cast.m1, to_org=cast.tree.b3, reason="工作调动到西区花园社区", by=cast.secretary1)
    login(phone, "town_admin")
    phone.goto(f"{live_server.url}/transfers/")
    assert "张伟" in phone.locator(".card", has_text="张伟").first.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "transfers-todo-phone")
    phone.click("button:has-text('同意')")
    phone.wait_for_url(f"{live_server.url}/transfers/")
    assert "已审批同意" in phone.content()
    t.refresh_from_db()
    assert t.status == "approved"
    phone.goto(f"{live_server.url}/transfers/{t.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "transfers-detail-phone")


def test_start_with_branch_search_on_phone(phone, live_server, cast, login, shot):
    login(phone, "secretary1")
    phone.goto(f"{live_server.url}/transfers/new/?member={cast.m1.pk}")
    phone.fill("#target-q", "花园")
    phone.click("#targets button:has-text('西区花园社区党支部')")
    assert phone.input_value("#id_to_org") == "CB01"
    phone.fill("#id_reason", "工作调动")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "transfers-start-phone")
    phone.click("button:has-text('提交，等待审批')")
    phone.wait_for_url(f"{live_server.url}/transfers/*/")
    assert Transfer.objects.get().to_org == cast.tree.b3
