import pytest

from tests.factories import api_client as api

URL = "/api/v1/transfers/"
ROLES = ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member_user", "outsider"]


@pytest.fixture
def post(cast):
    """post(role_name, path, data) through the API as one of the cast."""
    def _post(who, path, data=None):
        return api(getattr(cast, who)).post(URL + path, data or {}, format="json")
    return _post
