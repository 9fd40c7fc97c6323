from django.urls import path

from . import views

app_name = "micropower"
urlpatterns = [
    path("", views.cases, name="cases"),
    path("new/", views.case_new, name="case_new"),
    path("<int:pk>/", views.case, name="case"),
    path("powers/", views.powers, name="powers"),
    path("powers/new/", views.power_form, name="power_new"),
    path("powers/<int:pk>/", views.power_form, name="power_edit"),
    path("powers/install/", views.install, name="install"),
]
