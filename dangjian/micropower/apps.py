from django.apps import AppConfig


class MicropowerConfig(AppConfig):
    name = "dangjian.micropower"
    label = "micropower"
    verbose_name = "小微权力清单"
