"""The error pages, in Chinese (Django's own are English and bare): 404 (also what an object outside the user's scope
answers), 403, 400, 500 and a failed CSRF check (a form left open past the session). A 404's or 403's message is
shown when the code that raised it wrote one for the user (in Chinese); Django's own (“No Member matches the given
query.”) is not. Under /api/ they answer JSON, as the API's own errors do."""

from __future__ import annotations

import re

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token

_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _message(exception) -> str:
    args = getattr(exception, "args", ())
    message = args[0] if args else ""
    return message if isinstance(message, str) and _CHINESE.search(message) else ""


def _api(request) -> bool:
    return request.path.startswith("/api/")


PAGES = {
    400: ("请求无效", "请求的内容无法处理。请返回上一页重新操作。"),
    403: ("没有权限", "您没有进行这项操作的权限。需要办理的，请联系上级党组织管理员授权。"),
    404: ("页面不存在", "您要找的页面不存在，或不在您的权限范围内。"),
    500: ("系统出错了", "服务器处理时出了错，我们已经记录下来。请稍后再试；问题一直存在时，请联系系统管理员。"),
}


def _page(request, status: int, message: str = "", **extra):
    title, default = PAGES[status]
    if _api(request):
        return JsonResponse({"detail": message or title}, status=status)
    return render(request, "web/error.html", {"status": status, "title": title, "message": message or default,
                                              "public": request.path.startswith("/gk/"), **extra}, status=status)


@requires_csrf_token
def not_found(request, exception):
    return _page(request, 404, _message(exception))


@requires_csrf_token
def permission_denied(request, exception):
    return _page(request, 403, _message(exception))


@requires_csrf_token
def bad_request(request, exception):
    return _page(request, 400)


# When the page itself cannot be drawn (the database is down: the navigation reads the user's grants).
_BARE_500 = ("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>系统出错了 · 智慧党建平台</title>"
             "</head><body><h1>系统出错了</h1><p>" + PAGES[500][1] + "</p></body></html>")


@requires_csrf_token
def server_error(request):
    try:
        return _page(request, 500)
    except Exception:  # noqa: BLE001 - whatever broke the request may break its error page too
        return HttpResponseServerError(_BARE_500)


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token: nearly always a page left open until its session ended, or opened
    before logging in again elsewhere."""
    return _page(request, 403, "页面已过期，表单没有提交。请返回上一页，刷新后重新填写提交。", expired=True)
