from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "dangjian.disclosure"
    label = "disclosure"
    verbose_name = "党务村务财务公开"

    def ready(self):
        from django.db.models.signals import post_save

        from dangjian.core.models import Event

        post_save.connect(_follow_org_move, sender=Event, dispatch_uid="disclosure_follow_org_move")


def _follow_org_move(sender, instance, created, **kwargs):
    """Items carry a copy of their org's path. orgs.actions.move_org rewrites the paths of the subtree
    and records an "org.move" event with old_path/new_path inside the same transaction; following that
    event keeps our copies right without orgs knowing about this app."""
    if created and instance.verb == "org.move":
        from .actions import rewrite_paths

        old, new = instance.detail.get("old_path"), instance.detail.get("new_path")
        if old and new and old != new:
            rewrite_paths(old, new)
