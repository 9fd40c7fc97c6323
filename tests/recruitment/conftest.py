"""Fixtures of the recruitment tests; the calendar and helpers are in journey.py."""

import datetime as dt

import pytest

from dangjian.recruitment import actions
from tests.factories import make_member

from .journey import PERSON, walk_to

D = dt.date


@pytest.fixture
def sponsors(cast):
    """Two full members of 东村 (m1 and a second one) who can be 培养联系人 and 入党介绍人."""
    return [cast.m1, make_member(cast.tree.b1, "孙丽", gender="F", birth=dt.date(1980, 8, 8))]


@pytest.fixture
def new_file(cast):
    def make(**extra):
        data = {**PERSON, **extra.pop("person", {})}
        return actions.open_file(data, org=extra.pop("org", cast.tree.b1), by=extra.pop("by", cast.secretary1),
                                 applied_on=extra.pop("applied_on", D(2022, 3, 1)), **extra)
    return make


@pytest.fixture
def walk(cast, sponsors):
    """walk(file, through=n, **overrides): record steps last_step+1 .. n with GOOD data; `overrides` maps a
    step to replacement data. Returns the last (record, warnings)."""

    def run(a, through, overrides=None):
        return walk_to(cast, a, through, sponsors, overrides)

    return run
