from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "dangjian.assessments"
    label = "assessments"
    verbose_name = "考核评议与整顿"
