"""Error pages in Chinese: what a user outside a scope sees (404), a failed CSRF check, 403, 400, 500. Django's own
pages are English; a message written for the user is shown, Django's own (“No … matches the given query.”) is not;
under /api/ the answer stays JSON."""

from django.test import Client, RequestFactory

from dangjian.web import errors


def _client(user=None, **kw):
    c = Client(**kw)
    if user is not None:
        c.force_login(user)
    return c


def test_a_page_outside_the_scope_answers_a_chinese_404_with_its_reason(cast):
    r = _client(cast.member_user).get("/recruitment/")
    html = r.content.decode()
    assert r.status_code == 404 and "页面不存在" in html and "没有可查看的党组织" in html
    assert "返回首页" in html and "Not Found" not in html
    assert "我的党费" in html  # the user's navigation stays


def test_an_unknown_address_and_djangos_own_message(cast):
    r = _client(cast.secretary1).get("/no-such-page/")
    assert r.status_code == 404 and "您要找的页面不存在" in r.content.decode()
    r = _client(cast.secretary1).get("/members/999999/")  # get_object_or_404: an English message, not shown
    html = r.content.decode()
    assert r.status_code == 404 and "matches the given query" not in html and "页面不存在" in html


def test_a_villager_on_a_public_address_is_not_sent_to_log_in(db):
    r = Client().get("/gk/NOSUCH/")
    html = r.content.decode()
    assert r.status_code == 404 and "请核对公开栏二维码或链接" in html and "/login/" not in html


def test_an_expired_form_says_so(cast):
    c = _client(cast.secretary1, enforce_csrf_checks=True)
    r = c.post(f"/dues/org/{cast.tree.b1.code}/pay/", {})
    html = r.content.decode()
    assert r.status_code == 403 and "页面已过期" in html and "返回上一页" in html and "CSRF verification" not in html


def test_the_api_keeps_answering_json(cast):
    r = _client(cast.secretary1).get("/api/v1/no-such-thing/")
    assert r.status_code == 404 and r.json() == {"detail": "页面不存在"}


def test_403_400_and_500_pages(db):
    request = RequestFactory().get("/orgs/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    r = errors.permission_denied(request, PermissionError("您没有管理党组织的权限"))
    assert r.status_code == 403 and "您没有管理党组织的权限" in r.content.decode()
    r = errors.bad_request(request, ValueError("x"))
    assert r.status_code == 400 and "请求无效" in r.content.decode()
    r = errors.server_error(request)
    assert r.status_code == 500 and "系统出错了" in r.content.decode() and "登录" in r.content.decode()


def test_the_500_page_stands_when_the_site_layout_cannot_be_drawn(db, monkeypatch):
    request = RequestFactory().get("/")

    def broken(*args, **kwargs):
        raise RuntimeError("database is down")

    monkeypatch.setattr(errors, "render", broken)
    r = errors.server_error(request)
    assert r.status_code == 500 and "系统出错了" in r.content.decode() and "请稍后再试" in r.content.decode()
