"""The member list's 联系电话“待核对” filter (`?phone=suspect`): the same rows as SUSPECT_PATTERN on every cell, and on
PostgreSQL an estimate of how many it matches (members migration 0008), so that a province's list with few such
numbers is read by a scan rather than by walking the whole subtree in list order."""

import json
import re

import pytest
from django.db import connection

from dangjian.core import idcard
from dangjian.core.phone import SUSPECT_PATTERN
from dangjian.members.models import Member
from dangjian.members.queries import member_list, parse_filter
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db

CELLS = [
    "1380000123", "138000012345", "138 0000 123", "138-0000-12345", "12345678901", "10086123456", "1", "13",
    "13800001234", "138 0000 1234", "138-0000-1234", "19912345678", "0371-63921234", "63921234", "",
    "+86 13800001234", "13800001234/0371-63921234", "13800001234（本人）", "无", "1 3800001234", "1-2345678901",
    "12", "1380000123 ", "11111111111", "1380000123x", "2380000123", "138--0000-1234", "1 0 0 0 0 0 0 0 0 0",
]


def test_the_filter_finds_what_the_pattern_matches(cast):
    """The quick tests the filter runs first never leave out a cell the pattern matches."""
    member = cast.m1
    u = cast.county_admin
    for cell in CELLS:
        Member.objects.filter(pk=member.pk).update(phone=cell)
        found = member.pk in {m.pk for m in member_list(u, parse_filter(u, {"phone": "suspect"}))}
        assert found == (re.search(SUSPECT_PATTERN, cell) is not None), cell


def _scan_estimate(qs) -> float:
    """The planner's row estimate for the members the queryset's WHERE keeps."""
    sql, params = qs.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cur.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    node = plan[0]["Plan"]
    while "Plans" in node:
        node = node["Plans"][0]
    return node["Plan Rows"]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_knows_how_few_numbers_are_suspect(tree):
    template = make_member(tree.b1, "王芳", gender="F")
    fields = [f.attname for f in Member._meta.concrete_fields if not f.primary_key]
    clones = []
    for i in range(400):
        clone = Member(**{name: getattr(template, name) for name in fields})
        clone.id_number = idcard.make("370102", template.birth_date, (2 * i) % 1000)
        clone.phone = "1380000123" if i < 3 else f"139{i:08d}"  # three numbers a digit short
        clones.append(clone)
    Member.objects.filter(pk=template.pk).delete()
    Member.objects.bulk_create(clones)
    with connection.cursor() as cur:
        cur.execute("ANALYZE members_member")
    admin = make_user("province", "admin", tree.city)
    qs = member_list(admin, parse_filter(admin, {"phone": "suspect"}))
    assert qs.count() == 3
    assert _scan_estimate(qs) < 30  # without the statistics: half the rows, ~200


def test_the_filter_reads_the_list_as_it_stood(cast):
    """?as_of= lists the members' versions of that day; the filter runs on their numbers."""
    from django.utils import timezone

    member = cast.m1
    member.phone = "1380000123"
    member.save()  # a new version (the check that refuses such a number is the form's, not save's)
    u = cast.county_admin
    today = timezone.localdate().isoformat()
    versions = member_list(u, parse_filter(u, {"phone": "suspect", "as_of": today}))
    assert [v.id for v in versions] == [member.pk]
