from django.urls import path

from . import views

app_name = "io"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:kind>/upload/", views.upload, name="upload"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/confirm/", views.job_confirm, name="confirm"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="progress"),
    path("jobs/<int:pk>/result.xlsx", views.job_result, name="result"),
    path("template/<str:kind>.xlsx", views.template, name="template"),
    path("members/export/", views.export_members, name="export_members"),
    path("members/export/<str:name>/", views.export_list, name="export_list"),
    path("exports/<int:pk>/", views.export_job, name="export_job"),
    path("exports/<int:pk>/progress/", views.export_job_progress, name="export_progress"),
    path("exports/<int:pk>/download/", views.export_job_download, name="export_download"),
]
