"""Shared shape of a rule: the value, where it comes from, since when, and how strict it is."""

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class Rule:
    key: str
    value: Any
    source: str
    effective_from: dt.date
    hard: bool = True  # False: "一般" in the text, a breach warns instead of refusing
    local: bool = False  # True: varies by locality, overridable in settings.DANGJIAN_RULES
    # Last day the version applied (inclusive); None while it is still in force. A rule that changed
    # over time is a tuple of versions sharing one key, looked up with in_force().
    effective_to: dt.date | None = None

    def applies_on(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


def today() -> dt.date:
    """Today where the party organizations are (settings.TIME_ZONE, Asia/Shanghai), not the server's clock: from
    00:00 to 08:00 Beijing time the server's UTC date is still yesterday's."""
    from django.utils import timezone

    return timezone.localdate()


def value(rule: Rule) -> Any:
    """The rule's value, or the deployment's override when the rule is a local one."""
    overrides = getattr(settings, "DANGJIAN_RULES", {}) or {}
    if rule.local and rule.key in overrides:
        return overrides[rule.key]
    return rule.value


def in_force(versions: Rule | Iterable[Rule], on: dt.date) -> Rule:
    """The version of a rule that applied on a date.

    LookupError (with a Chinese message) when no version covers the date: the platform then has no
    number to apply, and guessing one from a later text would misjudge past records.
    """
    if isinstance(versions, Rule):
        versions = (versions,)
    versions = tuple(versions)
    for rule in versions:
        if rule.applies_on(on):
            return rule
    key = versions[0].key if versions else "?"
    raise LookupError(f"{on.isoformat()} 没有生效的规则“{key}”（规则自其生效日期起才适用）")


@dataclass(frozen=True)
class Finding:
    """One result of checking a record against a rule: a hard error or a soft warning."""

    code: str
    hard: bool
    message: str  # Chinese, shown to users as is
    source: str

    @property
    def severity(self) -> str:
        return "error" if self.hard else "warning"


def finding(code: str, rule: Rule, message: str, *, hard: bool | None = None) -> Finding:
    """A finding about `rule`; strictness follows the rule unless the caller knows better."""
    return Finding(code=code, hard=rule.hard if hard is None else hard, message=message, source=rule.source)


def add_months(d: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier); a day missing in the target month becomes its last day.

    31 January + 1 month = 28 (29) February, matching core.dates.add_years for 29 February.
    """
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))
