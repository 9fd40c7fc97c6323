"""`dangjian dues_ledger`: set-based monthly generation, idempotent, scoped by --org."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dangjian.dues.models import DuesLedger


def run(*args):
    out = StringIO()
    call_command("dues_ledger", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_generates_next_month_for_the_subtree_only_and_is_idempotent(based):
    res = run("--month", "2025-08", "--org", "CA1B1")
    assert res["months"][0]["rows"] == 2  # m1 and m2 (m3 is in CA1B2)
    assert set(DuesLedger.objects.filter(month="2025-08-01").values_list("member__name", flat=True)) == {"张伟", "李娜"}
    run("--month", "2025-08", "--org", "CA1B1")
    assert DuesLedger.objects.filter(month="2025-08-01").count() == 2
    res = run("--from", "2025-08", "--to", "2025-09")
    assert [m["rows"] for m in res["months"]] == [3, 3]


def test_bad_arguments_are_refused_in_chinese(based):
    with pytest.raises(CommandError, match="没有编码为“NOPE”的党组织"):
        run("--org", "NOPE")
    with pytest.raises(CommandError, match="不是有效的年月"):
        run("--month", "2025-13")
