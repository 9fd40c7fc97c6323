from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("autocomplete/", views.autocomplete, name="autocomplete"),
    path("new/", views.create, name="create"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/children/", views.children, name="children"),
    path("<str:code>/history/", views.history, name="history"),
    path("<str:code>/edit/", views.edit, name="edit"),
    path("<str:code>/move/", views.move, name="move"),
    path("<str:code>/delete/", views.delete, name="delete"),
    path("<str:code>/terms/new/", views.term_new, name="term_new"),
    path("<str:code>/committee/new/", views.committee_new, name="committee_new"),
    path("<str:code>/committee/<int:pk>/end/", views.committee_end, name="committee_end"),
]
