from django.contrib import admin
from django.urls import include, path

from dangjian.core import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("dangjian.api.urls")),
    path("orgs/", include("dangjian.orgs.urls")),
    path("members/", include("dangjian.members.urls")),
    path("io/", include("dangjian.io.urls")),
    path("orglife/", include("dangjian.orglife.urls")),
    path("transfers/", include("dangjian.transfers.urls")),
    path("dues/", include("dangjian.dues.urls")),
    path("disclosure/", include("dangjian.disclosure.urls")),
    path("recruitment/", include("dangjian.recruitment.urls")),
    # Public disclosure pages: readable without logging in.
    path("gk/", include("dangjian.disclosure.public_urls")),
    path("micropower/", include("dangjian.micropower.urls")),
    path("reports/", include("dangjian.reports.urls")),
    path("assessments/", include("dangjian.assessments.urls")),
    path("", include("dangjian.web.urls")),
]

admin.site.site_header = "智慧党建平台 · 系统管理"
admin.site.site_title = "智慧党建平台"

# Chinese error pages (dangjian/web/errors.py); CSRF failures: settings.CSRF_FAILURE_VIEW.
handler400 = "dangjian.web.errors.bad_request"
handler403 = "dangjian.web.errors.permission_denied"
handler404 = "dangjian.web.errors.not_found"
handler500 = "dangjian.web.errors.server_error"
