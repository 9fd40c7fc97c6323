"""Token and session authentication, the API root, and the OpenAPI schema and docs."""

import io
import re

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from rest_framework.test import APIClient


def _token_from_command(username) -> str:
    out = io.StringIO()
    call_command("token", username, stdout=out)
    return out.getvalue().strip()


def test_token_from_the_command_line_authenticates(cast):
    key = _token_from_command("county_admin")
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    r = c.get("/api/v1/orgs/", {"page_size": 500})
    assert r.status_code == 200
    assert {row["code"] for row in r.json()["results"]} == {"CA", "CA1", "CA1B1", "CA1B2"}
    # The same token is printed again (not replaced).
    assert _token_from_command("county_admin") == key


def test_wrong_token_is_401_with_a_token_challenge(cast):
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    r = c.get("/api/v1/members/")
    assert r.status_code == 401
    assert r["WWW-Authenticate"].startswith("Token")


def test_anonymous_is_401_not_a_login_redirect(cast):
    for url in ("/api/v1/orgs/", "/api/v1/orgs/CA/", f"/api/v1/members/{cast.m1.pk}/", "/api/v1/"):
        assert APIClient().get(url).status_code == 401, url


def test_browser_session_works_too(cast):
    c = APIClient()
    assert c.login(username="secretary1", password="pw-secretary1")
    r = c.get("/api/v1/members/")
    assert r.status_code == 200 and {row["id"] for row in r.json()["results"]} == {cast.m1.pk, cast.m2.pk}


def test_api_root_lists_the_collections(cast, api):
    r = api(cast.viewer).get("/api/v1/")
    assert r.status_code == 200
    assert {"orgs", "members"} <= set(r.json())


def test_schema_endpoint_serves_openapi_with_chinese_descriptions(db):
    r = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
    assert r.status_code == 200
    schema = yaml.safe_load(r.content)
    paths = schema["paths"]
    for p in ("/api/v1/orgs/", "/api/v1/orgs/{code}/", "/api/v1/orgs/{code}/move/", "/api/v1/orgs/{code}/history/",
              "/api/v1/members/", "/api/v1/members/{id}/", "/api/v1/members/{id}/status/",
              "/api/v1/members/{id}/history/"):
        assert p in paths, p
    assert "delete" not in paths["/api/v1/members/{id}/"]  # members are never deleted
    params = {p["name"]: p for p in paths["/api/v1/members/"]["get"]["parameters"]}
    assert {"org", "q", "category", "gender", "education", "age", "ethnicity", "joined_year", "status", "as_of",
            "page", "page_size", "after"} <= set(params)
    assert "全部下级" in params["org"]["description"]
    assert paths["/api/v1/orgs/"]["get"]["summary"] == "党组织列表"


def test_swagger_docs_page_is_self_contained(db):
    r = APIClient().get("/api/v1/docs/")
    assert r.status_code == 200
    page = r.content.decode()
    # Served from our own static files: government intranets reach no CDN.
    assert "cdn.jsdelivr" not in page and "unpkg" not in page
    m = re.search(r'src="([^"]*swagger-ui-bundle\.js)"', page)
    assert m, page[:500]
    assert m.group(1).startswith(settings.STATIC_URL)
    assert finders.find(m.group(1)[len(settings.STATIC_URL):]), "collectstatic would miss the Swagger UI bundle"


def test_schema_generates_without_warnings(db):
    # `dangjian spectacular --validate --fail-on-warn`: a new enum name clash or an untyped field fails here.
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.parametrize("url", ["/api/v1/orgs/", "/api/v1/members/"])
def test_put_and_delete_on_lists_are_not_allowed(cast, api, url):
    assert api(cast.city_admin).put(url, {}, format="json").status_code == 405
    assert api(cast.city_admin).delete(url).status_code == 405
