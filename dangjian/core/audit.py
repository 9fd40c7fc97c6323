"""Writing to the business event log. Every action calls `record` inside its transaction."""

from .middleware import current_request_id
from .models import Event


def record(verb: str, *, actor=None, obj=None, org_path: str = "", detail: dict | None = None) -> Event:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    object_type = object_id = object_repr = ""
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = str(obj.pk)
        object_repr = str(obj)[:200]
        if not org_path:
            org_path = getattr(obj, "org_path", "") or getattr(obj, "path", "")
    return Event.objects.create(
        actor=actor,
        verb=verb,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        org_path=org_path,
        detail=detail or {},
        request_id=current_request_id(),
    )
