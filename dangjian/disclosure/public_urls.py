"""Public disclosure pages (/gk/): no login; published items only."""

from django.urls import path

from . import views

app_name = "gk"
urlpatterns = [
    path("<str:code>/", views.public_org, name="org"),
    path("<str:code>/poster/", views.poster, name="poster"),
    path("<str:code>/<int:pk>/", views.public_item, name="item"),
    path("<str:code>/<int:pk>/files/<int:att>/", views.public_attachment, name="attachment"),
    path("<str:code>/<int:pk>/ask/", views.ask, name="ask"),
]
