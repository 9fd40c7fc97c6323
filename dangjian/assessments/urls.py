from django.urls import path

from . import views

app_name = "assessments"
urlpatterns = [
    path("", views.index, name="index"),
    path("weak/<str:code>/", views.weak, name="weak"),
    path("weak/<str:code>/identify/", views.identify, name="identify"),
    path("case/<int:pk>/", views.case, name="case"),
    path("case/<int:pk>/progress/", views.progress, name="progress"),
    path("case/<int:pk>/apply/", views.apply, name="apply"),
    path("case/<int:pk>/decide/", views.decide, name="decide"),
]
