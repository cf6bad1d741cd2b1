from django.urls import include, path

from licheng.core import health, security
from licheng.credentials.views import verify_page

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("csp-report/", security.csp_report, name="csp_report"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("licheng.api.urls")),
    path("", include("licheng.core.urls")),
    path("", include("licheng.accounts.urls")),
    path("people/", include("licheng.people.urls")),
    path("parents/", include("licheng.people.parent_urls")),
    path("school/", include("licheng.schools.urls")),
    path("courses/", include("licheng.courses.urls")),
    path("audit/", include("licheng.audit.urls")),
    path("files/", include("licheng.files.urls")),
    path("notifications/", include("licheng.notifications.urls")),
    path("portfolio/", include("licheng.portfolio.urls")),
    path("performances/", include("licheng.performances.urls")),
    path("records/", include("licheng.records.urls")),
    path("counselling/", include("licheng.counselling.urls")),
    path("schedule/", include("licheng.schedule.urls")),
    path("progress/", include("licheng.progress.urls")),
    path("announcements/", include("licheng.announcements.urls")),
    path("working-group/", include("licheng.workinggroup.urls")),
    path("submissions/", include("licheng.submissions.urls")),
    path("receipts/", include("licheng.receipts.urls")),
    path("lifecycle/", include("licheng.lifecycle.urls")),
    path("backups/", include("licheng.backups.urls")),
    path("credentials/", include("licheng.credentials.urls")),
    path("school-exports/", include("licheng.portability.urls")),
    path("verify/", verify_page, name="verify"),
]

# 503 with Retry-After while the database is out of reach, the 500 page for everything else.
handler500 = "licheng.core.unavailable.server_error"
