"""Who made an organization's version (history_user) has no database constraint, as for members' versions: an org
import writes a version per organization and PostgreSQL would check the account once for each. A version still names
its maker, and deleting an account still clears its versions' user (Django's SET_NULL)."""

import pytest
from django.db import connection

from dangjian.io.orgs_import import import_orgs
from dangjian.orgs.models import Org
from tests.factories import make_user
from tests.io.helpers import write_csv

pytestmark = pytest.mark.django_db


def test_an_imports_versions_name_the_importer_without_a_request(cast, tmp_path):
    """Through a background job or the command line there is no request for simple-history to take the user from:
    the import's user is set on each version (created and changed), as the audit event names it."""
    clerk = make_user("clerk", "admin", cast.tree.town)
    header = ["党组织编码", "党组织名称", "上级党组织编码", "党组织类别", "所属领域"]
    path = write_csv(tmp_path / "o.csv", [["CA1B9", "城关镇南村党支部", "CA1", "党支部", "农村"]], header=header)
    assert import_orgs(path, user=clerk, by=clerk).ok
    org = Org.objects.get(code="CA1B9")
    assert org.history.get().history_user == clerk
    path = write_csv(tmp_path / "o.csv", [["CA1B9", "城关镇南村党支部（新）", "CA1", "党支部", "农村"]], header=header)
    assert import_orgs(path, user=clerk, by=clerk).ok
    assert [v.history_user for v in org.history.order_by("history_id")] == [clerk, clerk]
    assert import_orgs(path).ok  # the command line without a user: as before


def test_deleting_an_account_clears_its_versions_user(tree):
    from dangjian.orgs.actions import update_org

    clerk = make_user("clerk")
    update_org(tree.b1, {"address": "东村村委会"}, by=None)
    version = tree.b1.history.latest()
    version.history_user = clerk
    version.save()
    clerk.delete()
    version.refresh_from_db()
    assert version.history_user_id is None  # the version stays, without its user


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_no_constraint_is_checked_per_version_on_postgresql(tree):
    table = Org.history.model._meta.db_table
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' "
                    "AND conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = %s::regclass "
                    "AND attname = 'history_user_id')]", [table, table])
        assert cur.fetchone()[0] == 0
