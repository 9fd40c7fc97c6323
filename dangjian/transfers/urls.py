from django.urls import path

from . import views

app_name = "transfers"
urlpatterns = [
    path("", views.todo, name="todo"),
    path("new/", views.start, name="start"),
    path("targets/", views.targets, name="targets"),
    path("incoming/", views.incoming, name="incoming"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/reject/", views.reject, name="reject"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/receipt/", views.receipt, name="receipt"),
    path("<int:pk>/letter.docx", views.letter_docx, name="letter"),
    path("<int:pk>/letter.pdf", views.letter_pdf, name="letter_pdf"),
]
