"""党费 in the browser: a secretary records a payment on a phone, the member sees it on theirs, and the
county's collection report with its arrears list fits a phone. (In tests/browser: one Playwright session
per test run.)"""

import datetime as dt

from django.utils import timezone

from dangjian.dues import actions
from dangjian.dues.models import DuesPayment
from dangjian.rules.base import add_months


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _month(d: dt.date) -> str:
    return f"{d.year}-{d.month:02d}"


def _bases(cast):
    """m1 (东村) and m3 (西村, the same county) pay from three months ago; nobody has paid yet."""
    start = add_months(timezone.localdate().replace(day=1), -3)
    actions.declare_base(cast.m1, from_month=_month(start), category="in_service", base="4000", by=cast.secretary1,
                         confirm=True)
    actions.declare_base(cast.m3, from_month=_month(start), category="retired", base="6000", by=cast.secretary2,
                         confirm=True)
    return start


def test_secretary_records_a_payment_and_the_member_sees_it(phone, live_server, cast, login, shot):
    start = _bases(cast)
    login(phone, "secretary1")
    phone.goto(f"{live_server.url}/dues/org/CA1B1/")
    pay = phone.locator("form[action*='/pay/']")
    pay.locator("select[name=member]").select_option(str(cast.m1.pk))
    pay.locator("input[name=first_month]").fill(_month(start))
    pay.locator("input[name=count]").fill("2")
    no_sideways_scroll(phone)
    # The year's table fits the card: no sideways scroll inside it, a member's row two lines of six months with
    # 已交/欠交 under them (not a column of twelve badges two to a line, 200 px a member in the demo city).
    table = phone.locator(".table-responsive").first
    assert table.evaluate("e => e.scrollWidth <= e.clientWidth")
    row = table.locator("tbody tr", has_text=cast.m1.name)
    assert row.bounding_box()["height"] < 95  # 82 px; 110 with the badges wrapping two to a line
    assert "欠交" in row.inner_text()
    shot(phone, "dues-branch-phone")
    month = phone.locator("#pay-month")
    month.locator("button:has-text('全选')").click()
    assert month.locator("input[name=members]:checked").count() == month.locator("input[name=members]").count() >= 1
    pay.locator("button:has-text('登记')").click()
    phone.wait_for_load_state()
    assert "已登记" in phone.content() or DuesPayment.objects.filter(member=cast.m1).exists()
    paid = DuesPayment.objects.filter(member=cast.m1)
    assert paid.count() == 2 and sum(p.amount for p in paid) == 80  # 4000 × 1% for two months
    no_sideways_scroll(phone)

    phone.context.clear_cookies()
    login(phone, "dangyuan")
    phone.goto(f"{live_server.url}/dues/me/")
    text = phone.inner_text("body")
    assert "我的党费" in text and "交纳记录" in text and "40.00" in text
    no_sideways_scroll(phone)
    shot(phone, "dues-me-phone")


def test_the_county_report_fits_a_phone(phone, live_server, cast, login, shot):
    _bases(cast)
    login(phone, "county_admin")
    phone.goto(f"{live_server.url}/dues/report/CA/")
    text = phone.inner_text("body")
    assert "党费收缴情况" in text and "按党组织" in text and "欠交党员" in text
    # both villages' members are in arrears: nothing paid since their bases took effect
    assert cast.m1.name in text and cast.m3.name in text and "城关镇西村党支部" in text
    assert "西区" not in text  # another county's branches are not the county's
    no_sideways_scroll(phone)
    shot(phone, "dues-report-phone")
