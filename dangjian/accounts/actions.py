from django.db import transaction

from dangjian.core import audit

from .models import Grant, Role, User


@transaction.atomic
def grant_role(username: str, *, org, role: str, password: str | None = None, by=None) -> tuple[User, bool]:
    """Create the user if missing and give it `role` over the subtree of `org`. Returns (user, created)."""
    if role not in Role.values:
        raise ValueError(f"未知角色“{role}”，可选：{', '.join(Role.values)}")
    user, created = User.objects.get_or_create(username=username)
    if password:
        user.set_password(password)
        user.save()
    elif created:
        user.set_unusable_password()
        user.save()
    _, new = Grant.objects.get_or_create(user=user, role=role, org=org)
    if new:
        audit.record("grant.create", actor=by, obj=org, detail={"user": username, "role": role})
    return user, created
