from django.apps import AppConfig


class IoConfig(AppConfig):
    name = "dangjian.io"
    label = "io"
