import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api.matrix import build_world


@pytest.fixture
def world(cast):
    return build_world(cast)


@pytest.fixture
def api():
    """api(user) → an APIClient authenticated the way scripts are: `Authorization: Token <key>`."""

    def make(user=None):
        c = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return c

    return make
