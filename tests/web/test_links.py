"""What each role's pages show: crawled from the home page for each role of the cast (two pages of each URL
shape), every link answers below 400 and never an error, so no user is shown a button that is not theirs (a plain
member's 发展党员 board was one); and a viewer's pages show no member's ID or phone number in full."""

import re
from urllib.parse import urljoin, urlparse

import pytest
from django.test import Client

ROLES = ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member_user", "outsider"]
# Files and one-way actions: downloads are tested where they are made; /logout/ would end the crawl.
SKIP = re.compile(r"/logout|/export|\.xlsx$|\.pdf$|\.csv$|/download|/reveal|/file/|/attachment|/result|/template/|"
                  r"/qr/|/admin/|/api/|/static/")
PER_SHAPE = 2
LIMIT = 150


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", path.split("?")[0])


def _crawl(user) -> tuple[dict[str, str], list]:
    """The pages `user` reaches from the home page ({url: html}) and the links that answered 400 or more."""
    c = Client()
    c.force_login(user)
    queue, seen, shapes, broken, pages = ["/"], set(), {}, [], {}
    while queue and len(seen) < LIMIT:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        r = c.get(url)
        if r.status_code >= 400:
            broken.append((url, r.status_code))
            continue
        if r.status_code in (301, 302):
            assert "/login/" not in r["Location"], (url, r["Location"])
            continue
        if "text/html" not in r.get("Content-Type", ""):
            continue
        pages[url] = html = r.content.decode()
        for href in re.findall(r'href="([^"#]+)"', html):
            p = urlparse(urljoin("http://testserver" + url, href.replace("&amp;", "&")))
            if p.netloc != "testserver" or SKIP.search(p.path):
                continue
            target = p.path + (f"?{p.query}" if p.query else "")
            shape = _shape(target)
            if target not in seen and target not in queue and shapes.get(shape, 0) < PER_SHAPE:
                shapes[shape] = shapes.get(shape, 0) + 1
                queue.append(target)
    return pages, broken


@pytest.mark.parametrize("who", ROLES)
def test_every_link_answers(cast, who):
    pages, broken = _crawl(getattr(cast, who))
    assert len(pages) > 1 or who == "outsider"  # no grant, no record: the home page alone
    assert broken == []


def test_a_viewer_never_sees_a_members_numbers_in_full(cast):
    """A viewer (read-only, no view_sensitive) reads every page masked: no member's ID or phone number in full."""
    from dangjian.members import actions
    from dangjian.members.models import Member

    actions.register_mobile(cast.m1, destination="深圳", since=cast.m1.joined_on, contact="13912345678",
                            by=cast.secretary1)  # a contact number of its own on the 流动党员 page
    numbers = {n for pair in Member.objects.values_list("id_number", "phone") for n in pair if n} | {"13912345678"}
    pages, _broken = _crawl(cast.viewer)
    assert len(pages) > 10
    shown = {(url, n) for url, html in pages.items() for n in numbers if n in html}
    assert shown == set()


FORM = re.compile(r'<form[^>]*method="post"[^>]*>.*?</form>', re.IGNORECASE | re.DOTALL)


@pytest.mark.parametrize("who", ["town_admin", "secretary1", "member_user"])
def test_every_form_answers_bad_input_without_an_error(cast, who):
    """Each form the role's pages show, sent empty and sent junk (quotes, brackets, an overlong number) in every
    field: a Chinese refusal or a redirect, never a server error."""
    pages, _broken = _crawl(getattr(cast, who))
    forms = {}
    for url, html in pages.items():
        for form in FORM.findall(html):
            action = re.search(r'action="([^"]*)"', form)
            target = (action.group(1) if action else "") or url
            if "logout" in target:
                continue
            names = set(re.findall(r'name="([^"]+)"', form)) - {"csrfmiddlewaretoken"}
            forms.setdefault(_shape(target.replace("&amp;", "&")), (target.replace("&amp;", "&"), names))
    assert len(forms) >= (1 if who == "member_user" else 8), sorted(forms)
    c = Client(raise_request_exception=False)
    c.force_login(getattr(cast, who))
    for shape, (target, names) in forms.items():
        for junk in ("", "x'\"<>9999999999999999999999"):
            r = c.post(urljoin("http://testserver/", target), {n: junk for n in names})
            assert r.status_code < 500, (shape, junk, r.status_code)
