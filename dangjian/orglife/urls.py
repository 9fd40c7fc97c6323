from django.urls import path

from . import views

app_name = "orglife"
urlpatterns = [
    path("", views.index, name="index"),
    # First: "compliance/<code>/" must not be read as the record form of an organization coded "compliance".
    path("compliance/<str:code>/", views.compliance_grid, name="compliance"),
    path("meeting/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meeting/<int:pk>/attach/", views.attach, name="attach"),
    path("meeting/<int:pk>/attendance/", views.correct_attendance, name="correct_attendance"),
    path("meeting/<int:pk>/file/<int:att_pk>/", views.attachment, name="attachment"),
    path("meeting/<int:pk>/file/<int:att_pk>/delete/", views.detach, name="detach"),
    path("mine/", views.mine, name="mine"),
    path("reminders/", views.reminder_list, name="reminders"),
    path("calendar/<str:code>/", views.calendar, name="calendar"),
    path("dual/<str:code>/", views.dual, name="dual"),
    path("filing/<int:pk>/spot-check/", views.spot_check, name="spot_check"),
    path("filing/<int:pk>/cancel/", views.cancel_filing, name="cancel_filing"),
    path("filing/<int:pk>/qr/", views.filing_qr, name="filing_qr"),
    path("checkin/<str:token>/", views.checkin, name="checkin"),
    path("<str:code>/", views.org_meetings, name="meetings"),
    path("<str:code>/new/", views.record, name="record"),
    path("<str:code>/plan/", views.plan, name="plan"),
    path("<str:code>/file/", views.file_meeting, name="file"),
]
