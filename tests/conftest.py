import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection

from tests.factories import make_member, make_org, make_user

# A run must not see the date change under it: tests that read "today" once, at import (TODAY =
# timezone.localdate()), would then disagree with the code, which asks again after Beijing midnight. A run
# that starts after LATEST_START (Beijing time) has its clock set back to that hour of the same day, at most two
# hours, more than a run takes; time still passes (tick), and nothing reads the database's own clock. Any other
# run keeps the real time.
LATEST_START = dt.time(22, 0)
_clock = None


def pytest_configure(config):
    global _clock
    import zoneinfo

    import time_machine
    from django.conf import settings

    now = dt.datetime.now(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    if now.time() > LATEST_START:
        _clock = time_machine.travel(dt.datetime.combine(now.date(), LATEST_START, now.tzinfo), tick=True)
        _clock.start()


def pytest_unconfigure(config):
    if _clock is not None:
        _clock.stop()


def pytest_collection_modifyitems(config, items):
    import os

    on_pg = os.environ.get("DANGJIAN_TEST_ON_PG") == "1"
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: run with DANGJIAN_TEST_ON_PG=1 (as .ci/run does)")
    for item in items:
        if "postgres" in item.keywords and not on_pg:
            item.add_marker(skip_pg)


@pytest.fixture
def tree(db):
    """市委 → 县委 → 镇党委 → 两个村党支部; 市委 → 区委 → 社区党支部 (in another county)."""
    city = make_org("C", "示范市委", "committee", domain="government")
    county = make_org("CA", "东县县委", "committee", parent=city, domain="government")
    town = make_org("CA1", "东县城关镇党委", "committee", parent=county, domain="rural")
    b1 = make_org("CA1B1", "城关镇东村党支部", "branch", parent=town)
    b2 = make_org("CA1B2", "城关镇西村党支部", "branch", parent=town)
    district = make_org("CB", "西区区委", "committee", parent=city, domain="government")
    b3 = make_org("CB01", "西区花园社区党支部", "branch", parent=district, domain="community")
    return SimpleNamespace(city=city, county=county, town=town, b1=b1, b2=b2, district=district, b3=b3)


@pytest.fixture
def cast(tree):
    """The users of the permission matrix, and a few members."""
    m1 = make_member(tree.b1, "张伟")
    m2 = make_member(tree.b1, "李娜", gender="F", birth=dt.date(1990, 5, 20), category="probationary",
                     joined=dt.date(2025, 6, 1))
    m3 = make_member(tree.b2, "王强")
    m4 = make_member(tree.b3, "赵敏", gender="F", birth=dt.date(1970, 1, 2))
    member_user = make_user("dangyuan")
    m1.user = member_user
    m1.save()
    return SimpleNamespace(
        tree=tree,
        city_admin=make_user("city_admin", "admin", tree.city),
        county_admin=make_user("county_admin", "admin", tree.county),
        town_admin=make_user("town_admin", "admin", tree.town),
        secretary1=make_user("secretary1", "secretary", tree.b1),
        secretary2=make_user("secretary2", "secretary", tree.b2),
        viewer=make_user("viewer", "viewer", tree.county),
        member_user=_grant(member_user, "member", tree.b1),
        outsider=make_user("outsider"),
        m1=m1, m2=m2, m3=m3, m4=m4,
    )


def _grant(user, role, org):
    from dangjian.accounts.models import Grant

    Grant.objects.create(user=user, role=role, org=org)
    return user


@pytest.fixture
def is_postgres(db):
    return connection.vendor == "postgresql"


# Every URL pattern must be covered by the permission matrix (see tests/url_coverage.py).
from tests import url_coverage  # noqa: E402
from tests.url_coverage import pytest_sessionfinish  # noqa: E402,F401


def pytest_sessionstart(session):
    url_coverage.install()
