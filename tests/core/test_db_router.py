"""Read replicas: reads go to a replica, writes to the primary, and a request that wrote reads its own writes
(for the rest of the request, and via a cookie for the next few seconds)."""

import pytest
from django.db import connection, connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from dangjian.core import db_router
from dangjian.core.db_router import COOKIE, PrimaryReplicaRouter, ReplicaPinMiddleware, replica_databases
from dangjian.members.models import Member

TWO = ["replica1", "replica2"]  # aliases only: these tests never query them
router = PrimaryReplicaRouter()


@pytest.fixture(autouse=True)
def unpinned():
    """Each test starts outside any request, not pinned (the context variables live on between tests)."""
    pinned, wrote = db_router._pinned.set(False), db_router._wrote.set(False)
    yield
    db_router._pinned.reset(pinned)
    db_router._wrote.reset(wrote)


def test_no_replica_urls_no_replicas():
    assert replica_databases("", {"ENGINE": "x"}) == {}
    assert replica_databases(" , ", {"ENGINE": "x"}) == {}


def test_replica_urls_become_aliases_mirroring_the_primary_in_tests():
    dbs = replica_databases("postgres://u@r1:5432/dj, postgres://u@r2:5432/dj",
                            {"ENGINE": "django.db.backends.postgresql"})
    assert list(dbs) == ["replica1", "replica2"]
    assert dbs["replica2"]["HOST"] == "r2" and dbs["replica1"]["TEST"] == {"MIRROR": "default"}


def test_a_replica_of_another_engine_is_refused():
    with pytest.raises(ValueError, match="第1个副本"):
        replica_databases("sqlite:///x.db", {"ENGINE": "django.db.backends.postgresql"})


@override_settings(DANGJIAN_REPLICAS=TWO)
def test_reads_go_to_a_replica_writes_to_the_primary_and_pin_the_rest():
    assert router.db_for_read(Member) in ("replica1", "replica2")
    assert router.db_for_write(Member) == "default"
    assert router.db_for_read(Member) == "default"


@override_settings(DANGJIAN_REPLICAS=TWO)
@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_stay_on_the_primary():
    with transaction.atomic():
        assert router.db_for_read(Member) == "default"
    assert router.db_for_read(Member) != "default"


@override_settings(DANGJIAN_REPLICAS=TWO)
def test_a_job_pins_a_block_to_the_primary():
    with db_router.pinned_to_primary():
        assert router.db_for_read(Member) == "default"
    assert router.db_for_read(Member) != "default"


def test_only_the_primary_is_migrated():
    assert router.allow_migrate("default", "members")
    assert not router.allow_migrate("replica1", "members")


def _middleware(view):
    return ReplicaPinMiddleware(view)


@override_settings(DANGJIAN_REPLICAS=TWO, DANGJIAN_REPLICA_PIN_SECONDS=7)
def test_a_request_that_writes_pins_the_browser_for_a_few_seconds():
    seen = {}

    def view(request):
        seen["before"] = router.db_for_read(Member)
        router.db_for_write(Member)
        seen["after"] = router.db_for_read(Member)
        return HttpResponse("ok")

    response = _middleware(view)(RequestFactory().get("/"))
    assert seen["before"].startswith("replica") and seen["after"] == "default"
    assert response.cookies[COOKIE].value == "1" and response.cookies[COOKIE]["max-age"] == 7
    assert not db_router.is_pinned()  # the pin ends with the request


@override_settings(DANGJIAN_REPLICAS=TWO)
def test_a_read_only_get_reads_replicas_and_sets_no_cookie():
    response = _middleware(lambda r: HttpResponse(router.db_for_read(Member)))(RequestFactory().get("/"))
    assert response.content.decode().startswith("replica")
    assert COOKIE not in response.cookies


@override_settings(DANGJIAN_REPLICAS=TWO)
def test_a_post_reads_the_primary_from_its_start():
    response = _middleware(lambda r: HttpResponse(router.db_for_read(Member)))(RequestFactory().post("/"))
    assert response.content == b"default" and response.cookies[COOKIE].value == "1"


@override_settings(DANGJIAN_REPLICAS=TWO)
def test_the_get_after_a_post_reads_its_write_from_the_primary():
    request = RequestFactory().get("/")
    request.COOKIES[COOKIE] = "1"
    response = _middleware(lambda r: HttpResponse(router.db_for_read(Member)))(request)
    assert response.content == b"default"


# ---------------------------------------------------------------- on PostgreSQL, two aliases

ROUTED = {"DATABASE_ROUTERS": ["dangjian.core.db_router.PrimaryReplicaRouter"]}


def _middleware_setting(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE[:3], "dangjian.core.db_router.ReplicaPinMiddleware",
                           *settings.MIDDLEWARE[3:]]
    settings.DATABASE_ROUTERS = ROUTED["DATABASE_ROUTERS"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default", "replica1"])
def test_pages_read_the_replica_until_a_post_then_the_primary(settings, client, cast):
    assert connection.vendor == "postgresql" and "replica1" in connections
    _middleware_setting(settings)
    settings.DANGJIAN_REPLICAS = ["replica1"]
    client.force_login(cast.city_admin)
    client.cookies.pop(COOKIE, None)
    with CaptureQueriesContext(connections["replica1"]) as replica, CaptureQueriesContext(connection) as primary:
        assert client.get(f"/orgs/{cast.tree.city.code}/").status_code == 200
    assert len(replica) > 0 and not any(q["sql"].lstrip().upper().startswith("SELECT") for q in primary)
    client.cookies.pop(COOKIE, None)
    # A write (logout is a POST that deletes the session) pins this browser to the primary for a while.
    client.force_login(cast.city_admin)
    response = client.post("/logout/")
    assert response.cookies[COOKIE].value == "1"
    client.force_login(cast.city_admin)
    with CaptureQueriesContext(connections["replica1"]) as replica:
        assert client.get(f"/orgs/{cast.tree.city.code}/").status_code == 200
    assert len(replica) == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default", "replica1"])
def test_a_replica_serves_rows_the_primary_committed(settings):
    settings.DATABASE_ROUTERS = ROUTED["DATABASE_ROUTERS"]
    settings.DANGJIAN_REPLICAS = ["replica1"]
    from dangjian.orgs.models import Org

    with db_router.pinned_to_primary():
        Org.objects.create(code="R1", name="副本测试党委", org_type="committee", path="0009", depth=1)
    db_router._pinned.set(False)
    with CaptureQueriesContext(connections["replica1"]) as replica:
        assert Org.objects.get(code="R1").name == "副本测试党委"
    assert len(replica) == 1
