from django.urls import path

from . import views

app_name = "dues"
urlpatterns = [
    path("", views.index, name="index"),
    path("me/", views.me, name="me"),
    path("org/<str:code>/", views.org_page, name="org"),
    path("org/<str:code>/pay/", views.pay, name="pay"),
    path("org/<str:code>/pay-month/", views.pay_month, name="pay_month"),
    path("org/<str:code>/base/", views.declare, name="declare"),
    path("org/<str:code>/base/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("org/<str:code>/reminder/", views.remind, name="remind"),
    path("org/<str:code>/payment/<int:pk>/reverse/", views.reverse_view, name="reverse"),
    path("org/<str:code>/ledger/", views.generate, name="generate"),
    path("report/<str:code>/", views.report, name="report"),
    path("report/<str:code>/export/", views.report_xlsx, name="report_xlsx"),
]
