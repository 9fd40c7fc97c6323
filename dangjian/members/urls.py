from django.urls import path

from . import views, views_life

app_name = "members"
urlpatterns = [
    path("", views.member_list_view, name="list"),
    path("new/", views.member_create, name="create"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/reveal/", views.member_reveal, name="reveal"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/status/", views.member_status, name="status"),
    path("<int:pk>/history/", views.member_history, name="history"),
    # 流动党员, 失联党员, 党籍变更, 不合格党员处置
    path("mobile/", views_life.mobile_list, name="mobile_list"),
    path("<int:pk>/mobile/new/", views_life.mobile_new, name="mobile_new"),
    path("mobile/<int:rid>/end/", views_life.mobile_end, name="mobile_end"),
    path("lost/", views_life.lost_contact, name="lost_contact"),
    path("<int:pk>/follow-up/", views_life.follow_up, name="follow_up"),
    path("<int:pk>/status-case/new/", views_life.case_new, name="case_new"),
    path("cases/", views_life.cases, name="cases"),
    path("cases/<int:cid>/", views_life.case_detail, name="case_detail"),
    path("cases/<int:cid>/approve/", views_life.case_approve, name="case_approve"),
    path("cases/<int:cid>/reject/", views_life.case_reject, name="case_reject"),
    path("cases/<int:cid>/cancel/", views_life.case_cancel, name="case_cancel"),
    path("<int:pk>/disposal/new/", views_life.disposal_new, name="disposal_new"),
    path("disposals/<int:did>/", views_life.disposal_detail, name="disposal_detail"),
]
