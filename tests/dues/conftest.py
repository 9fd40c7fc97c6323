import datetime as dt

import pytest
import time_machine

TODAY = dt.date(2025, 7, 15)


@pytest.fixture
def today():
    """Dues tests run on 2025-07-15: months, limits and arrears are counted from there."""
    with time_machine.travel(dt.datetime(2025, 7, 15, 10, 0), tick=False):
        yield TODAY


@pytest.fixture
def based(cast, today):
    """m1 (东村, in service, base 4000 → 40.00) and m3 (西村, retired 6000 → 60.00) with confirmed bases from
    2025-01; m2 (东村, probationary since 2025-06) a student (0.20) from 2025-06."""
    from dangjian.dues import actions

    actions.declare_base(cast.m1, from_month="2025-01", category="in_service", base="4000", by=cast.secretary1,
                         confirm=True)
    actions.declare_base(cast.m2, from_month="2025-06", category="student", by=cast.secretary1, confirm=True)
    actions.declare_base(cast.m3, from_month="2025-01", category="retired", base="6000", by=cast.secretary2,
                         confirm=True)
    return cast
