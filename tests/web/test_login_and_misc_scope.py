"""Scope cases for pages that the per-app matrices do not reach: login/logout, templates, receipts."""

from django.urls import reverse


def test_login_page_and_logout(client, cast):
    assert client.get(reverse("login")).status_code == 200
    r = client.post(reverse("login"), {"username": "secretary1", "password": "pw-secretary1"})
    assert r.status_code == 302 and r["Location"] == "/"
    r = client.post(reverse("logout"))
    assert r.status_code == 302 and "/login/" in r["Location"]
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_is_refused_in_chinese(client, cast):
    r = client.post(reverse("login"), {"username": "secretary1", "password": "nope"})
    assert r.status_code == 200 and "用户名或密码不正确" in r.content.decode()


def test_import_template_needs_login(client, cast):
    url = reverse("io:template", args=["members"])
    r = client.get(url)
    assert r.status_code == 302 and "/login/" in r["Location"]
    client.force_login(cast.secretary1)
    assert client.get(url).status_code == 200


def test_transfer_receipt_outside_scope_is_404(client, cast):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(cast.secretary1)
    r = api.post("/api/v1/transfers/", {"member": cast.m1.pk, "to_org": "CB01", "reason": "工作调动"}, format="json")
    assert r.status_code == 201, r.content
    tid = r.json()["id"]
    other = APIClient()
    other.force_authenticate(cast.secretary2)
    assert other.post(f"/api/v1/transfers/{tid}/receipt/", {}, format="json").status_code == 404
    anon = APIClient()
    assert anon.post(f"/api/v1/transfers/{tid}/receipt/", {}, format="json").status_code == 401
