import pytest

from dangjian.io import members_import


@pytest.fixture
def check_sees_no_members(monkeypatch):
    """The check finds the organizations but no registered member of any number: as when someone registers
    one of the file's people after the check looked them up, so that the write meets the database's refusal."""
    lookup = members_import._Checker._lookup

    def nobody_is_registered(self, codes, numbers):
        return lookup(self, codes, [])

    monkeypatch.setattr(members_import._Checker, "_lookup", nobody_is_registered)
