from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from dangjian.assessments.api import RectificationViewSet, ScreeningViewSet
from dangjian.disclosure.api import (
    CatalogEntryViewSet,
    DisclosureViewSet,
    MatterViewSet,
    QuestionViewSet,
    ReviewViewSet,
)
from dangjian.dues.api import DuesBaseViewSet, DuesPaymentViewSet, DuesReportViewSet
from dangjian.io.api import (
    ExportJobViewSet,
    ImportJobViewSet,
    LostContactExportView,
    MemberExportView,
    MobileExportView,
)
from dangjian.members.api import MemberViewSet
from dangjian.members.api_life import (
    DisposalCaseViewSet,
    LostContactViewSet,
    MobileMembershipViewSet,
    StatusCaseViewSet,
)
from dangjian.micropower.api import CaseViewSet, PowerViewSet
from dangjian.orglife.api import ComplianceViewSet, FilingViewSet, MeetingViewSet, PlanViewSet
from dangjian.orgs.api import OrgViewSet
from dangjian.recruitment.api import ApplicantViewSet, BoardViewSet, RecruitmentPlanViewSet
from dangjian.reports.api import MemberReportViewSet
from dangjian.transfers.api import TransferViewSet

router = DefaultRouter()
router.register("orgs", OrgViewSet, basename="org")
router.register("members", MemberViewSet, basename="member")
router.register("disclosures", DisclosureViewSet, basename="disclosure")
router.register("transfers", TransferViewSet, basename="transfer")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("meeting-plans", PlanViewSet, basename="meeting-plan")
router.register("meeting-filings", FilingViewSet, basename="meeting-filing")
router.register("compliance", ComplianceViewSet, basename="compliance")
router.register("dues/bases", DuesBaseViewSet, basename="dues-base")
router.register("dues/payments", DuesPaymentViewSet, basename="dues-payment")
router.register("dues/report", DuesReportViewSet, basename="dues-report")
router.register("imports", ImportJobViewSet, basename="import")
router.register("exports", ExportJobViewSet, basename="export-job")
router.register("mobile-members", MobileMembershipViewSet, basename="mobile-member")
router.register("lost-contact", LostContactViewSet, basename="lost-contact")
router.register("status-cases", StatusCaseViewSet, basename="status-case")
router.register("disposal-cases", DisposalCaseViewSet, basename="disposal-case")
router.register("recruitment/applicants", ApplicantViewSet, basename="recruitment-applicant")
router.register("recruitment/plans", RecruitmentPlanViewSet, basename="recruitment-plan")
router.register("recruitment/board", BoardViewSet, basename="recruitment-board")
router.register("disclosure-catalog", CatalogEntryViewSet, basename="disclosure-catalog")
router.register("disclosure-reviews", ReviewViewSet, basename="disclosure-review")
router.register("disclosure-questions", QuestionViewSet, basename="disclosure-question")
router.register("disclosure-matters", MatterViewSet, basename="disclosure-matter")
router.register("micropower/powers", PowerViewSet, basename="micropower-power")
router.register("micropower/cases", CaseViewSet, basename="micropower-case")
router.register("reports/members", MemberReportViewSet, basename="report-members")
router.register("weak-screening", ScreeningViewSet, basename="weak-screening")
router.register("rectifications", RectificationViewSet, basename="rectification")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Before the router: "export" is not a member id.
    path("members/export/", MemberExportView.as_view(), name="member-export"),
    path("mobile-members/export/", MobileExportView.as_view(), name="mobile-member-export"),
    path("lost-contact/export/", LostContactExportView.as_view(), name="lost-contact-export"),
    path("", include(router.urls)),
]
