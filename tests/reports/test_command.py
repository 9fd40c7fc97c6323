"""`dangjian stats`: the same tables as the page, for the whole platform (run by an operator on the server)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def run(*args):
    out = StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


def test_json_is_the_apis_document(cast):
    body = json.loads(run("--org", "C", "--format", "json"))
    assert body["org"] == "C" and not body["historical"]
    assert {r["org"]: r["counts"]["total"] for r in body["rows"]} == {None: 0, "CA": 3, "CB": 1}
    assert body["total"]["total"] == 4 and body["total"]["branches"] == 3


def test_text_lists_each_section(cast):
    text = run("--org", "CA1")
    assert "基层党组织3个，党员3名" in text
    assert "党员年龄" in text and "本年发展党员和预备党员转正" in text
    assert "城关镇东村党支部\t" in text


def test_a_past_date_and_bad_input(cast):
    body = json.loads(run("--org", "C", "--as-of", "2025-12-31", "--format", "json"))
    assert body["historical"] and body["total"]["total"] == 0  # the cast was entered today
    with pytest.raises(CommandError, match="不存在"):
        run("--org", "NOPE")
    with pytest.raises(CommandError, match="统计截止日期"):
        run("--org", "C", "--as-of", "2025-02-30")
