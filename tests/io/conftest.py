import pytest

from dangjian.io import members_import


@pytest.fixture
def check_sees_no_members(monkeypatch):
    """The check finds the organizations but no registered member of any number: as when someone registers
    one of the file's people after the check looked them up, so that the write meets the database's refusal."""
    monkeypatch.setattr(members_import._Checker, "_existing", staticmethod(lambda numbers: {}))
