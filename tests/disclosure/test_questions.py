"""Villagers ask a question or raise an objection on a public item (no login); the phone is for the reply only;
bots are kept out by a honeypot, a signed form token and rate limits; the organization answers and may make the
answer public, shown on the item page without the phone."""

import re

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from dangjian.disclosure import actions
from dangjian.disclosure.models import Question
from tests.disclosure.test_public import crawl

PHONE = "13912345678"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _form(c, url):
    html = c.get(url).content.decode()
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def _ask(item, *, body="村道硬化工程的支出为什么比预算多？", phone=PHONE, wait=5, ip="10.0.0.1", **extra):
    c = Client(REMOTE_ADDR=ip)
    url = f"/gk/{item.org.code}/{item.pk}/ask/"
    with time_machine.travel(0, tick=False) as t:
        t.move_to("2026-03-01 10:00:00+08:00")
        token = _form(c, url)
        t.shift(wait)
        return c.post(url, {"kind": "question", "body": body, "phone": phone, "token": token, "website": "", **extra})


def test_villager_asks_without_login(items):
    r = _ask(items.party)
    assert r.status_code == 200 and "已收到您的留言" in r.content.decode()
    q = Question.objects.get()
    assert q.phone == PHONE and q.org == items.party.org and not q.public
    assert "no-store" in r["Cache-Control"]


def test_phone_is_required_and_checked(items):
    r = _ask(items.party, phone="12345")
    assert "请填写11位手机号码" in r.content.decode() and not Question.objects.exists()


def test_honeypot_and_a_fast_submission_are_refused(items):
    assert "提交失败" in _ask(items.party, website="http://spam.example").content.decode()
    assert "提交过快" in _ask(items.party, wait=0).content.decode()
    assert not Question.objects.exists()


def test_forged_or_foreign_token_is_refused(items):
    c = Client()
    url = f"/gk/CA1B1/{items.party.pk}/ask/"
    r = c.post(url, {"kind": "question", "body": "这是一个问题内容", "phone": PHONE, "token": "forged"})
    assert "页面已过期" in r.content.decode()
    token = _form(c, f"/gk/CA1B1/{items.fin2.pk}/ask/")
    r = c.post(url, {"kind": "question", "body": "这是一个问题内容", "phone": PHONE, "token": token})
    assert "页面已过期" in r.content.decode() and not Question.objects.exists()


def test_rate_limited_per_ip_and_per_phone(items, settings):
    settings.DANGJIAN_RULES = {"disclosure.questions_per_hour": 2}
    assert "已收到" in _ask(items.party).content.decode()
    assert "已收到" in _ask(items.party, phone="13900000001").content.decode()
    assert "留言过于频繁" in _ask(items.party, phone="13900000002").content.decode()  # same IP
    assert "已收到" in _ask(items.party, ip="10.0.0.9").content.decode()  # another network, the phone's 2nd
    assert "留言过于频繁" in _ask(items.party, ip="10.0.0.8").content.decode()  # the same phone a 3rd time
    assert Question.objects.count() == 3


def test_drafts_withdrawn_and_old_versions_take_no_questions(items):
    assert Client().get(f"/gk/CA1B1/{items.draft.pk}/ask/").status_code == 404
    assert Client().get(f"/gk/CA1B1/{items.gone.pk}/ask/").status_code == 404
    r = Client().get(f"/gk/CA1B1/{items.fin.pk}/ask/")  # superseded: ask about the current version
    assert r.status_code == 302 and r["Location"].endswith(f"/{items.fin2.pk}/ask/")


def _login(user):
    c = Client()
    c.force_login(user)
    return c


def test_inbox_is_scoped_and_the_phone_is_masked_for_viewers(items, cast):
    q = actions.ask(items.party, kind="objection", body="发展对象的公示期太短", phone=PHONE)
    for role, code in (("secretary1", 200), ("town_admin", 200), ("viewer", 200), ("secretary2", 404),
                       ("member_user", 404), ("outsider", 404)):
        c = _login(getattr(cast, role))
        assert ("发展对象的公示期太短" in c.get("/disclosure/questions/").content.decode()) == (code == 200), role
        r = c.get(f"/disclosure/questions/{q.pk}/")
        assert r.status_code == code, role
        if code == 200:
            html = r.content.decode()
            assert (PHONE in html) == (role != "viewer") and ("139****5678" in html) == (role == "viewer")
    assert _login(cast.viewer).post(f"/disclosure/questions/{q.pk}/", {"answer": "x"}).status_code == 404
    assert Client().get("/disclosure/questions/").status_code == 302


def test_answer_made_public_shows_on_the_item_page_without_the_phone(items, cast):
    q = actions.ask(items.party, kind="question", body=f"请问积极分子是谁推荐的？我的电话{PHONE}", phone=PHONE)
    r = _login(cast.secretary1).post(f"/disclosure/questions/{q.pk}/", {"answer": "由党小组推荐，支委会研究确定。",
                                                                        "public": "on"})
    assert r.status_code == 302
    html = Client().get(f"/gk/CA1B1/{items.party.pk}/").content.decode()
    assert "由党小组推荐，支委会研究确定。" in html and "请问积极分子是谁推荐的" in html
    assert PHONE not in html and "139****5678" in html
    _login(cast.secretary1).post(f"/disclosure/questions/{q.pk}/", {"public": "0"})
    assert "由党小组推荐" not in Client().get(f"/gk/CA1B1/{items.party.pk}/").content.decode()


def test_unanswered_and_private_questions_never_show(items):
    actions.ask(items.party, kind="question", body="一个还没有答复的问题", phone=PHONE)
    q = actions.ask(items.party, kind="question", body="一个答复但不公开的问题", phone=PHONE)
    actions.answer(q, text="已电话答复")
    html = Client().get(f"/gk/CA1B1/{items.party.pk}/").content.decode()
    assert "还没有答复" not in html and "答复但不公开" not in html


def test_answer_with_a_phone_number_is_refused(items):
    q = actions.ask(items.party, kind="question", body="问题内容很重要", phone=PHONE)
    with pytest.raises(Exception, match="手机号码"):
        actions.answer(q, text="请致电 13800001111 咨询")


def test_crawl_of_public_pages_with_questions_finds_no_personal_numbers(items, cast):
    q = actions.ask(items.party, kind="objection", body=f"我是张伟，身份证{cast.m1.id_number}，电话{cast.m1.phone}",
                    phone=cast.m1.phone)
    actions.answer(q, text="已核实，感谢监督。", public=True)
    pages = crawl(cast, ["/gk/CA1B1/"], secrets=(PHONE,))
    assert any("已核实，感谢监督。" in html for html in pages.values())
