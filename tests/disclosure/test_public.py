"""/gk/{code}/: anyone reads it, published items only, corrections shown as such, no personal numbers."""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

from django.test import Client

from dangjian.disclosure import actions, pii

PUBLIC = Client()


def test_anyone_reads_the_public_page_without_login(items):
    r = PUBLIC.get("/gk/CA1B1/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "城关镇东村党支部" in html and "东县城关镇党委" in html  # the org and its parent
    assert "2025年第二季度发展党员情况公示" in html
    assert "2025年7月村级财务收支" in html


def test_drafts_and_withdrawn_items_are_invisible(items):
    html = PUBLIC.get("/gk/CA1B1/").content.decode()
    assert "尚未公开的村务草稿" not in html and "已撤回的村务公开" not in html
    assert PUBLIC.get(f"/gk/CA1B1/{items.draft.pk}/").status_code == 404
    assert PUBLIC.get(f"/gk/CA1B1/{items.gone.pk}/").status_code == 404


def test_items_of_another_org_are_not_reachable_under_this_code(items):
    assert "花园社区党务公开" not in PUBLIC.get("/gk/CA1B1/").content.decode()
    assert PUBLIC.get(f"/gk/CA1B1/{items.other.pk}/").status_code == 404
    assert PUBLIC.get(f"/gk/CB01/{items.other.pk}/").status_code == 200


def test_unknown_code_is_404(items):
    assert PUBLIC.get("/gk/NOPE/").status_code == 404
    assert PUBLIC.get("/gk/NOPE/poster/").status_code == 404


def test_correction_is_shown_with_its_date_and_the_earlier_version_is_readable(items):
    html = PUBLIC.get("/gk/CA1B1/").content.decode()
    date = items.fin2.published_at.astimezone().strftime("%Y-%m-%d")
    assert f"已更正（{date}）" in html
    assert html.count("2025年7月村级财务收支") == 1  # only the current version is listed
    current = PUBLIC.get(f"/gk/CA1B1/{items.fin2.pk}/").content.decode()
    assert "更正办公用品支出金额" in current and f"/gk/CA1B1/{items.fin.pk}/" in current
    assert "330.50" in current
    old = PUBLIC.get(f"/gk/CA1B1/{items.fin.pk}/").content.decode()
    assert "更正前的版本" in old and "320.50" in old and f"/gk/CA1B1/{items.fin2.pk}/" in old


def test_versions_of_a_withdrawn_item_disappear_too(items):
    actions.withdraw(items.fin2, reason="账目有误，重新核对")
    assert PUBLIC.get(f"/gk/CA1B1/{items.fin.pk}/").status_code == 404
    assert PUBLIC.get(f"/gk/CA1B1/{items.fin2.pk}/").status_code == 404
    assert "2025年7月村级财务收支" not in PUBLIC.get("/gk/CA1B1/").content.decode()


def test_finance_page_shows_lines_and_totals(items):
    html = PUBLIC.get(f"/gk/CA1B1/{items.fin2.pk}/").content.decode()
    for text in ("上级转移支付", "办公用品", "道路维修", "1,500.00", "130.50", "收入合计", "支出合计", "1,169.50"):
        assert text in html


def test_category_tab_lists_one_category(items):
    html = PUBLIC.get("/gk/CA1B1/?c=finance").content.decode()
    assert "2025年7月村级财务收支" in html and "发展党员情况公示" not in html


def test_public_pages_are_cacheable_and_revalidated(items):
    for url in ("/gk/CA1B1/", f"/gk/CA1B1/{items.fin2.pk}/"):
        r = PUBLIC.get(url)
        assert "public" in r["Cache-Control"] and "no-cache" in r["Cache-Control"] and r["ETag"], url
        assert "Cookie" not in r.get("Vary", ""), url
        assert PUBLIC.get(url, HTTP_IF_NONE_MATCH=r["ETag"]).status_code == 304, url
    r = PUBLIC.get("/gk/CA1B1/poster/")
    assert "public" in r["Cache-Control"] and "max-age=60" in r["Cache-Control"]


def test_a_withdrawal_changes_every_cached_page_at_once(items):
    """Pages are kept server-side and revalidated by ETag; a withdrawal changes the stamp, so neither the server's
    cache nor a browser's copy can show the withdrawn item again."""
    url = "/gk/CA1B1/"
    first = PUBLIC.get(url)
    assert "发展党员情况公示" in first.content.decode()
    item_url = f"/gk/CA1B1/{items.party.pk}/"
    item_page = PUBLIC.get(item_url)
    actions.withdraw(items.party, reason="内容有误")
    again = PUBLIC.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    assert "发展党员情况公示" not in again.content.decode()
    assert PUBLIC.get(item_url, HTTP_IF_NONE_MATCH=item_page["ETag"]).status_code == 404


def test_staff_pages_are_never_cached(items, cast):
    c = Client()
    c.force_login(cast.secretary1)
    r = c.get(f"/disclosure/{items.draft.pk}/")
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]


def test_poster_has_a_qr_code_and_the_address(items):
    html = PUBLIC.get("/gk/CA1B1/poster/").content.decode()
    assert "<svg" in html and "http://testserver/gk/CA1B1/" in html


def test_public_page_query_count_is_bounded(items, django_assert_max_num_queries):
    for n in range(30):
        it = actions.create_draft(items.party.org, {"category": "party", "title": f"公开{n}", "body": "x"})
        actions.publish(it)
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(10):  # org with its stamp, counts, sections, parent, 小微权力 cases (2)
        assert PUBLIC.get("/gk/CA1B1/").status_code == 200
    with django_assert_max_num_queries(8):
        assert PUBLIC.get("/gk/CA1B1/?c=party").status_code == 200
    with django_assert_max_num_queries(1):  # unchanged since: the org with its stamp, then the cached page
        assert PUBLIC.get("/gk/CA1B1/").status_code == 200


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("href", "src") and v:
                self.links.append(v)


def test_no_public_page_shows_an_id_number_or_a_mobile_number(items, cast):
    """Crawl every public page reachable from the public pages of every org of a populated fixture
    (members with ID and phone numbers, org contact phones) and look for personal numbers."""
    from dangjian.orgs import actions as org_actions
    from dangjian.orgs.models import Org

    org_actions.update_org(cast.tree.b1, {"contact_person": "王书记", "contact_phone": "13812345678"})
    assert cast.m1.id_number and cast.m1.phone  # the fixture holds personal numbers to leak
    assert len(crawl(cast, [f"/gk/{code}/" for code in Org.objects.values_list("code", flat=True)])) > 10


def crawl(cast, todo: list[str], *, secrets: tuple[str, ...] = ()) -> dict[str, str]:
    """{url: html} of every public page reachable from `todo`; fails on any ID or mobile number, the
    members' numbers, or any of `secrets`. Shared with the crawl over questions and 小微权力 cases."""
    seen = set()
    pages: dict[str, str] = {}
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        r = PUBLIC.get(url)
        assert r.status_code == 200, url
        if not r["Content-Type"].startswith("text/html"):
            continue
        text = r.content.decode()
        assert not pii.ID_NUMBER.search(text), (url, pii.ID_NUMBER.search(text).group())
        assert not pii.MOBILE.search(re.sub(r"<svg.*?</svg>", "", text, flags=re.DOTALL)), url
        for member in (cast.m1, cast.m2, cast.m3, cast.m4):
            assert member.id_number not in text and member.phone not in text
        for secret in secrets:
            assert secret not in text, (url, secret)
        pages[url] = text
        p = _Links()
        p.feed(text)
        for link in p.links:
            path = urlparse(urljoin(url, link)).path
            if path.startswith("/gk/"):
                todo.append(path + ("?" + urlparse(link).query if urlparse(link).query else ""))
    return pages


def test_with_a_shared_cache_pages_are_served_without_queries_and_a_withdrawal_replaces_them(
        items, monkeypatch, django_assert_max_num_queries, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from dangjian.disclosure import public_cache

    monkeypatch.setattr(public_cache, "shared", lambda: True)
    cache.clear()
    first = PUBLIC.get("/gk/CA1B1/")
    assert "发展党员情况公示" in first.content.decode()
    with django_assert_max_num_queries(0):
        assert PUBLIC.get("/gk/CA1B1/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        actions.withdraw(items.party, reason="内容有误")
    again = PUBLIC.get("/gk/CA1B1/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and "发展党员情况公示" not in again.content.decode()
    assert PUBLIC.get(f"/gk/CA1B1/{items.party.pk}/").status_code == 404


def test_with_a_shared_cache_a_kept_page_costs_one_round_trip(items, monkeypatch):
    """The version and the page are read together (one MGET on redis), and a page kept at an older version is
    rendered again, not served."""
    from django.core.cache import cache

    from dangjian.disclosure import public_cache

    monkeypatch.setattr(public_cache, "shared", lambda: True)
    cache.clear()
    PUBLIC.get("/gk/CA1B1/")
    calls, inside = [], []

    def spy(f, name):  # the calls the view makes (locmem's get_many calls get itself: not counted)
        def call(*a, **k):
            if not inside:
                calls.append(name)
            inside.append(name)
            try:
                return f(*a, **k)
            finally:
                inside.pop()
        return call

    for name in ("get", "get_many", "set", "add"):
        monkeypatch.setattr(cache, name, spy(getattr(cache, name), name))
    assert "发展党员情况公示" in PUBLIC.get("/gk/CA1B1/").content.decode()
    assert calls == ["get_many"]
    cache.set(public_cache._key("CA1B1"), "another-version", None)  # what a change elsewhere does on commit
    calls.clear()
    assert PUBLIC.get("/gk/CA1B1/").status_code == 200
    assert calls == ["get_many", "set"]  # rendered again and kept at the new version
    assert cache.get(public_cache._page_key("CA1B1", "/gk/CA1B1/"))[0] == "another-version"
