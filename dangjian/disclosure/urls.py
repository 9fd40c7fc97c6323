from django.urls import path

from . import views, views_staff

app_name = "disclosure"
urlpatterns = [
    path("", views.item_list, name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/correct/", views.correct, name="correct"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/attachments/", views.attach, name="attach"),
    path("<int:pk>/attachments/<int:att>/", views.attachment, name="attachment"),
    path("<int:pk>/attachments/<int:att>/delete/", views.detach, name="detach"),
    path("<int:pk>/submit/", views_staff.submit, name="submit"),
    path("catalog/", views_staff.catalog, name="catalog"),
    path("catalog/new/", views_staff.catalog_entry, name="catalog_new"),
    path("catalog/<int:pk>/", views_staff.catalog_entry, name="catalog_edit"),
    path("catalog/install/", views_staff.catalog_install, name="catalog_install"),
    path("catalog/seats/", views_staff.seat_add, name="seat_add"),
    path("catalog/seats/<int:pk>/delete/", views_staff.seat_remove, name="seat_remove"),
    path("reviews/", views_staff.reviews, name="reviews"),
    path("reviews/<int:pk>/", views_staff.review, name="review"),
    path("overdue/", views_staff.overdue, name="overdue"),
    path("matters/", views_staff.matters, name="matters"),
    path("matters/new/", views_staff.matter_new, name="matter_new"),
    path("matters/<int:pk>/cancel/", views_staff.matter_cancel, name="matter_cancel"),
    path("questions/", views_staff.questions, name="questions"),
    path("questions/<int:pk>/", views_staff.question, name="question"),
]
