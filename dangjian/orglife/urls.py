from django.urls import path

from . import views

app_name = "orglife"
urlpatterns = [
    path("<str:code>/", views.org_meetings, name="meetings"),
    path("<str:code>/new/", views.record, name="record"),
    path("<str:code>/compliance/", views.compliance_grid, name="compliance"),
]
