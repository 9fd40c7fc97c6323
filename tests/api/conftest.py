import pytest

from tests.api.matrix import build_world
from tests.factories import token_client


@pytest.fixture
def world(cast):
    return build_world(cast)


@pytest.fixture
def api():
    """api(user) → an APIClient authenticated the way scripts are: `Authorization: Token <key>`."""

    return token_client
