"""The rule machinery: versions by date, local overrides, month arithmetic, and the README's table."""

import datetime as dt
import itertools
import re
from pathlib import Path

import pytest

from dangjian.rules import dues, meetings, membership, quorum, recruitment, terms, transfers
from dangjian.rules.base import Finding, Rule, add_months, in_force, value

D = dt.date
MODULES = (membership, terms, dues, meetings, quorum, recruitment, transfers)
OWN_MODULES = (dues, meetings, quorum, recruitment)


def _rules_in(item):
    if isinstance(item, Rule):
        return [item]
    if isinstance(item, tuple):
        return [x for x in item if isinstance(x, Rule)]
    if isinstance(item, dict):  # e.g. meetings.FREQUENCIES: kind -> versions
        return [rule for x in item.values() for rule in _rules_in(x)]
    return []


def rules_of(module):
    found = []
    for item in vars(module).values():
        found += [rule for rule in _rules_in(item) if rule not in found]
    return found


OLD = Rule("x.rate", 1, "旧规定 (V)", D(2008, 4, 1), effective_to=D(2016, 12, 31))
NEW = Rule("x.rate", 2, "新规定 (S)", D(2017, 1, 1))


@pytest.mark.parametrize(("on", "expected"), [
    (D(2008, 4, 1), 1), (D(2016, 12, 31), 1), (D(2017, 1, 1), 2), (D(2030, 1, 1), 2),
])
def test_in_force_picks_the_version_covering_the_date(on, expected):
    assert in_force((OLD, NEW), on).value == expected
    assert in_force([NEW, OLD], on).value == expected  # order of the versions does not matter


def test_no_version_before_the_first_one():
    with pytest.raises(LookupError, match="2008-03-31 没有生效的规则“x.rate”"):
        in_force((OLD, NEW), D(2008, 3, 31))


def test_a_single_rule_is_its_own_version():
    assert in_force(NEW, D(2020, 1, 1)) is NEW


def test_only_local_rules_take_overrides(settings):
    local = Rule("x.local", 3, "地方 (L)", D(2020, 1, 1), local=True)
    settings.DANGJIAN_RULES = {"x.local": 4, "x.rate": 9}
    assert value(local) == 4 and value(NEW) == 2


@pytest.mark.parametrize(("start", "months", "expected"), [
    (D(2025, 1, 31), 1, D(2025, 2, 28)),
    (D(2024, 1, 31), 1, D(2024, 2, 29)),
    (D(2025, 8, 31), 6, D(2026, 2, 28)),
    (D(2025, 11, 15), 2, D(2026, 1, 15)),
    (D(2025, 3, 31), -1, D(2025, 2, 28)),
    (D(2025, 1, 15), -1, D(2024, 12, 15)),
    (D(2025, 5, 5), 0, D(2025, 5, 5)),
    (D(2024, 2, 29), 12, D(2025, 2, 28)),
])
def test_add_months_clamps_to_the_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_finding_severity():
    assert Finding("a", True, "错", "s").severity == "error"
    assert Finding("a", False, "提示", "s").severity == "warning"


def test_every_rule_of_this_part_cites_a_status_letter():
    for module in OWN_MODULES:
        for rule in rules_of(module):
            if rule.key == "dues.max_monthly_base":  # an input check of our own, not a regulation
                continue
            assert re.search(r"\((?:[^()]*[；;，,/])?[VSLU](?:/[VSLU])?[；;，,)]", rule.source), rule.key


def test_local_rules_say_so_in_their_source_or_are_system_checks():
    for module in OWN_MODULES:
        for rule in rules_of(module):
            if rule.local and rule.key != "dues.max_monthly_base":
                assert "L" in rule.source, rule.key


def test_versions_of_one_key_do_not_overlap():
    for module in MODULES:
        by_key: dict[str, list[Rule]] = {}
        for rule in rules_of(module):
            by_key.setdefault(rule.key, []).append(rule)
        for versions in by_key.values():
            versions.sort(key=lambda r: r.effective_from)
            for earlier, later in itertools.pairwise(versions):
                assert earlier.effective_to is not None and earlier.effective_to < later.effective_from


def test_readme_lists_every_rule():
    readme = (Path(dues.__file__).parent / "README.md").read_text(encoding="utf-8")
    for module in MODULES:
        for rule in rules_of(module):
            assert f"| `{rule.key}` |" in readme, f"{rule.key} missing from dangjian/rules/README.md"
