from django.urls import path

from . import views

app_name = "recruitment"
urlpatterns = [
    path("", views.index, name="index"),
    path("org/<str:code>/", views.board, name="board"),
    path("new/", views.new, name="new"),
    path("plans/", views.plans, name="plans"),
    path("<int:pk>/", views.file, name="file"),
    path("<int:pk>/attachments/<int:att_pk>/", views.attachment, name="attachment"),
]
