"""`dangjian gen_scale`: a valid, deterministic synthetic tree at a tiny size (the bench runs it large)."""

import datetime as dt
import json
import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from dangjian.core import idcard, scale
from dangjian.members.models import Member
from dangjian.members.search import pinyin_keys
from dangjian.members.validation import validate_member
from dangjian.orgs.actions import rebuild_counts
from dangjian.orgs.models import BRANCH_TYPES, Org

FIELDS = [
    "name",
    "gender",
    "ethnicity",
    "id_number",
    "birth_date",
    "education",
    "category",
    "joined_on",
    "confirmed_on",
    "job",
    "phone",
    "address",
    "status",
]


def _gen(orgs=300, members=3000, seed=7) -> dict:
    out = StringIO()
    call_command(
        "gen_scale",
        "--orgs",
        str(orgs),
        "--members",
        str(members),
        "--seed",
        str(seed),
        "--format",
        "json",
        stdout=out,
    )
    return json.loads(out.getvalue())


def _check_generated(summary):
    assert summary["orgs"] == Org.objects.count() == 300
    assert summary["members"] == Member.objects.count() == 3000
    # Treebeard's own check: bad characters, step length, orphans, depth, numchild.
    assert Org.objects.find_problems() == ([], [], [], [], [])
    assert summary["max_depth"] >= 5  # province → city → county → township → village (→ branch)
    # Members sit in branch-type organizations only, with a copy of the branch's path.
    assert not Member.objects.exclude(org__org_type__in=BRANCH_TYPES).exists()
    assert all(m.org_path == m.org.path for m in Member.objects.select_related("org"))
    # Siblings' codes sort like their paths (node_order_by = code) and are unique.
    codes = list(Org.objects.order_by("path").values_list("code", "path"))
    by_parent = {}
    for code, path in codes:
        by_parent.setdefault(path[:-4], []).append(code)
    assert all(sorted(c) == c for c in by_parent.values())
    assert len({c for c, _ in codes}) == len(codes)
    # Every member passes the registry's own validation; pinyin keys match the search's.
    for m in Member.objects.select_related("org"):
        data = {f: getattr(m, f) for f in FIELDS}
        data["org"] = m.org
        assert validate_member(data, check_unique=False) == {}, (m.pk, m.name)
        assert (m.name_pinyin, m.name_initials) == pinyin_keys(m.name)
        info = idcard.parse(m.id_number)
        assert (info.birth_date, info.sex) == (m.birth_date, m.gender)
    active_ids = list(Member.objects.filter(status="normal").values_list("id_number", flat=True))
    assert len(active_ids) == len(set(active_ids))
    # Counters equal what rebuild_counts computes from the members table.
    before = list(
        Org.objects.order_by("pk").values_list(
            "direct_full", "direct_probationary", "subtree_full", "subtree_probationary"
        )
    )
    rebuild_counts()
    after = list(
        Org.objects.order_by("pk").values_list(
            "direct_full", "direct_probationary", "subtree_full", "subtree_probationary"
        )
    )
    assert before == after
    root = Org.objects.get(depth=1)
    assert root.subtree_total == summary["active_members"] == Member.objects.filter(status="normal").count()


@pytest.mark.django_db
def test_gen_scale_writes_a_valid_tree_with_valid_members():
    _check_generated(_gen())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_gen_scale_on_postgres_loads_with_copy_and_analyzes():
    assert connection.vendor == "postgresql"
    _check_generated(_gen())
    with connection.cursor() as cur:
        cur.execute("SELECT last_value FROM members_member_id_seq")
        assert cur.fetchone()[0] == 3000  # the sequence continues after the copied ids
    Org.objects.create(code="X1", name="后建", org_type="branch", path="0002", depth=1)  # next id is free


@pytest.mark.django_db
def test_gen_scale_refuses_a_database_with_data():
    _gen(orgs=20, members=10)
    with pytest.raises(CommandError, match="不是空的"):
        _gen(orgs=20, members=10)


@pytest.mark.django_db
def test_gen_scale_needs_a_branch_for_members():
    with pytest.raises(CommandError, match="没有党支部"):
        _gen(orgs=3, members=10)
    assert Org.objects.count() == 0


def test_same_seed_same_rows():
    def rows(seed):
        rng = random.Random(seed)
        nodes = scale.build_tree(rng, 400)
        branches = [n for n in nodes if n.org_type in BRANCH_TYPES]
        sizes = scale.allocate(rng, branches, 2000)
        gen = scale.MemberRows(rng, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        members = [r for b, n in zip(branches, sizes) for r in gen.for_branch(b, n)]
        return [(n.path, n.code, n.name, n.org_type) for n in nodes], members

    assert rows(3) == rows(3)
    assert rows(3) != rows(4)
