"""软弱涣散排查整顿 in the browser: the county admin finds 东村 in the screening and identifies it, keeping the
finding; the branch secretary reports progress and applies on a phone; the county admin accepts and lifts it."""

from django.utils import timezone

from dangjian.assessments.models import Rectification


def test_identify_rectify_and_lift(page, phone, live_server, cast, login, shot):
    login(page, "county_admin")
    page.goto(f"{live_server.url}/")
    page.click("nav >> text=统计考核")
    page.click("nav >> text=软弱涣散排查整顿")
    page.wait_for_url("**/assessments/weak/CA/")
    # last year: every period has ended (early in a year, this year's have not), and nothing was held
    page.select_option("#year", str(timezone.localdate().year - 1))
    page.click("button:has-text('查询')")
    page.wait_for_url("**year=*")
    row = page.locator("li.list-group-item", has_text=cast.tree.b1.name)
    assert "组织生活未按规定开展" in row.inner_text()
    shot(page, "assessments-screening")
    row.locator("text=认定并整顿").click()
    page.wait_for_url("**/assessments/weak/CA1B1/identify/**")
    assert page.locator("input[name=findings]").first.is_checked()  # the screening's finding is kept
    page.check("#s-system")
    page.fill("#leader", "县委组织部 王部长")
    page.fill("#measures", "配齐配强班子；每月按时开展主题党日")
    page.click("text=认定并进入整顿")
    page.wait_for_selector("text=已认定")
    r = Rectification.objects.get()
    assert r.status == "rectifying" and r.situations == ["system"] and r.findings
    assert r.year == timezone.localdate().year - 1

    login(phone, "secretary1")
    phone.goto(f"{live_server.url}/assessments/case/{r.pk}/")
    phone.fill("#p-note", "补开主题党日，调整支部委员分工")
    phone.click("text=填报进展")
    phone.wait_for_selector("text=已填报整顿进展")
    phone.click("button:has-text('申请摘牌')")
    phone.wait_for_selector("text=等待上级验收")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "assessments-case-phone")

    page.goto(f"{live_server.url}/assessments/case/{r.pk}/")
    page.fill("#d-note", "整顿任务完成，群众满意")
    page.click("text=验收通过，摘牌")
    page.wait_for_selector("text=验收通过，已摘牌")
    r.refresh_from_db()
    assert r.status == "lifted" and r.lifted_on == timezone.localdate()
    assert r.applied_on == r.lifted_on
