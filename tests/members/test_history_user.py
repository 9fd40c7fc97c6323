"""Who made a member's version (history_user) has no database constraint: PostgreSQL would check one per history
row, which a bulk import writes for every member. The application keeps what the constraint gave: a version names
its maker, the member's history page says who, and deleting an account clears its versions' user (Django's SET_NULL,
which runs without the constraint)."""

import pytest
from django.db import connection

from dangjian.members.models import Member
from tests.factories import make_member, make_user
from tests.io.helpers import member_row, run, write_csv

pytestmark = pytest.mark.django_db


def test_a_version_names_its_maker_until_the_account_is_deleted(tree):
    clerk = make_user("clerk")
    member = make_member(tree.b1, "张伟")
    member.job = "村医"
    member._history_user = clerk
    member.save()
    assert member.history.latest().history_user == clerk
    clerk.delete()
    assert member.history.latest().history_user_id is None
    assert member.history.count() == 2  # the versions stay


def test_an_imports_versions_name_the_importer(tree, tmp_path):
    from dangjian.io.members_import import import_members

    clerk = make_user("clerk", "admin", tree.town)
    path = write_csv(tmp_path / "m.csv", [member_row("甲", seq=51)])
    assert import_members(path, user=clerk, by=clerk).ok
    member = Member.objects.get(name="甲")
    assert member.history.get().history_user == clerk
    assert run("import_members", str(path))[0] == 0  # the command line: no user, as before


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_no_constraint_is_checked_per_version_on_postgresql(tree):
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' "
                    "AND conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = %s::regclass "
                    "AND attname = 'history_user_id')]",
                    [Member.history.model._meta.db_table] * 2)
        assert cur.fetchone()[0] == 0
