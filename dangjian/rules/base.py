"""Shared shape of a rule: the value, where it comes from, since when, and how strict it is."""

import datetime as dt
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


def value(rule: Rule) -> Any:
    """The rule's value, or the deployment's override when the rule is a local one."""
    overrides = getattr(settings, "DANGJIAN_RULES", {}) or {}
    if rule.local and rule.key in overrides:
        return overrides[rule.key]
    return rule.value
