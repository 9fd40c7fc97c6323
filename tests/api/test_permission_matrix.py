"""Every endpoint of /api/v1/orgs/ and /api/v1/members/ × every role × in/out of scope (tests/api/matrix.py)."""

import pytest

from tests.api.matrix import CASES, COVERED_URL_NAMES, MEMBER_VIEW, ORG_VIEW, ROLES, Case, url_for


def _user(world, role):
    return None if role == "anonymous" else getattr(world, role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_status_code(world, api, case: Case, role):
    client = api(_user(world, role))
    payload = case.payload(world) if callable(case.payload) else case.payload
    url = url_for(case, world)
    if case.method == "get":
        r = client.get(url, case.query)
    else:
        r = getattr(client, case.method)(url, payload, format="json")
    want = case.expected[role]
    assert r.status_code == want, f"{role} {case.method.upper()} {url}: {r.status_code} {r.content[:300]!r}"
    if case.done is not None:
        assert case.done(world) == (200 <= want < 300), f"{role}: write {'not ' if want < 300 else ''}expected to take effect"
    if want == 400:
        # Refusals name the field (or give a detail) in Chinese.
        body = r.json()
        text = " ".join(str(v) for v in body.values())
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), body


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_org_list_is_exactly_the_scope(world, api, role):
    r = api(getattr(world, role)).get("/api/v1/orgs/", {"page_size": 500})
    assert r.status_code == 200
    assert r.json()["count"] == len(ORG_VIEW[role])
    assert {row["code"] for row in r.json()["results"]} == ORG_VIEW[role]


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_member_list_is_exactly_the_scope(world, api, role):
    r = api(getattr(world, role)).get("/api/v1/members/", {"page_size": 500})
    assert r.status_code == 200
    ids = {getattr(world, k).pk for k in MEMBER_VIEW[role]}
    assert r.json()["count"] == len(ids)
    assert {row["id"] for row in r.json()["results"]} == ids


def test_member_list_of_an_org_is_its_subtree(world, api):
    r = api(world.county_admin).get("/api/v1/members/", {"org": "CA1"})
    assert {row["id"] for row in r.json()["results"]} == {world.m1.pk, world.m2.pk, world.m3.pk}
    r = api(world.county_admin).get("/api/v1/members/", {"org": "CA1B2"})
    assert [row["id"] for row in r.json()["results"]] == [world.m3.pk]


def test_matrix_covers_every_role_for_every_case():
    for case in CASES:
        assert set(case.expected) == set(ROLES), case.name


def test_every_orgs_and_members_api_route_is_in_the_matrix():
    from django.urls import URLPattern, URLResolver, get_resolver

    names = set()

    def walk(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns)
            elif isinstance(p, URLPattern) and p.name and p.name.startswith(("org-", "member-")):
                names.add(p.name)

    walk(get_resolver().url_patterns)
    assert names, "the API routes of orgs and members are not registered"
    assert names <= COVERED_URL_NAMES, f"not in tests/api/matrix.py: {sorted(names - COVERED_URL_NAMES)}"


def test_out_of_scope_answers_in_chinese_without_naming_the_reason(world, api):
    c = api(world.secretary1)
    assert c.get("/api/v1/orgs/CB01/").json() == {"detail": "党组织不存在"}
    assert c.get("/api/v1/orgs/NO-SUCH/").json() == {"detail": "党组织不存在"}
    assert c.get(f"/api/v1/members/{world.m4.pk}/").json() == {"detail": "党员不存在"}
    assert c.get("/api/v1/members/999999/").json() == {"detail": "党员不存在"}
    assert api(world.viewer).patch(f"/api/v1/members/{world.m1.pk}/", {"job": "x"}, format="json").json() == {
        "detail": "党员不存在"}
