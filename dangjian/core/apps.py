from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "dangjian.core"
    label = "core"

    def ready(self):
        from dangjian.core import partitions

        # After every migrate: next year's partitions exist before the year starts (PostgreSQL only).
        post_migrate.connect(partitions.on_post_migrate, sender=self, dispatch_uid="dangjian.partitions")
