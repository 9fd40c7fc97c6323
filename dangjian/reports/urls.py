from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("members/<str:code>/", views.members, name="members"),
]
