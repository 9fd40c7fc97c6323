"""Scope checks for the API, on top of `restrict` (dangjian.core.scope).

Objects are always looked up inside `Model.objects.restrict(user, action)`: whatever lies outside the
scope of the action answers 404, as if it did not exist, also when the user may see the object but not
do that action to it. Collection-level writes (POST to a list) have no object to hide: a user whose
role grants the action nowhere gets 403 with a Chinese message; a referenced organization outside the
scope (the body's "parent" or "org") is a 400 on that field, worded so it does not tell "missing" from
"not yours".
"""

from __future__ import annotations

from rest_framework.exceptions import PermissionDenied, ValidationError

from dangjian.core.scope import scope_for
from dangjian.orgs.models import Org

OUT_OF_SCOPE_ORG = "党组织“{code}”不存在或您无权在该党组织操作"


def may_somewhere(user, action: str) -> bool:
    scope = scope_for(user)
    return scope.everything or bool(scope.prefixes(action))


def require_somewhere(user, action: str, message: str) -> None:
    """403 when the user's roles grant `action` on no organization at all."""
    if not may_somewhere(user, action):
        raise PermissionDenied(message)


def org_in_scope(user, code, action: str, *, field: str) -> Org:
    """The organization `code` if it lies in the user's `action` scope, else a 400 on `field`."""
    code = (code or "").strip() if isinstance(code, str) else code
    if not code:
        raise ValidationError({field: ["请填写党组织编码"]})
    org = Org.objects.restrict(user, action).filter(code=code).first()
    if org is None:
        raise ValidationError({field: [OUT_OF_SCOPE_ORG.format(code=code)]})
    return org
