"""Permission matrix rows for course outcomes (``licheng.portfolio``).

The outcome in ``extend`` belongs to the persona student, for the course the subject teacher
teaches; it is visible to the student, their parent and homeroom teacher, the course's teacher and
staff with ``portfolio.view_all`` (registry, school admin). The other teacher's proxy assignment in
the world is not in effect today, so they get 404 like the outsider.
"""

from __future__ import annotations

import datetime
from typing import Any

from licheng.tests.matrix_base import OK, Case, who

OUTCOME = lambda w: {"pk": w.extra["outcome"].pk}  # noqa: E731
FILE = lambda w: {"pk": w.extra["outcome_file"].pk}  # noqa: E731
VERSION = lambda w: {"pk": w.extra["version"].pk}  # noqa: E731
CLASS = lambda w: {"pk": w.p.school_class.pk}  # noqa: E731
API_OUTCOME = lambda w: {"outcome_id": w.extra["outcome"].pk}  # noqa: E731

SEES_OUTCOME = who(200, anonymous=302, other_teacher=404, outsider=404)
OWNER_POST = who(404, anonymous=302, student=OK)
STUDENT_PAGE = who(404, anonymous=302, student=200)
VIEW_ALL_PAGE = who(403, anonymous=302, registry=200, school_admin=200, outsider=200)
VIEW_ALL_POST = who(403, anonymous=302, registry=OK, school_admin=OK, outsider=OK)
EXPORTERS_PAGE = who(404, anonymous=302, student=200, parent=200, registry=200, school_admin=200)
EXPORTERS_POST = who(404, anonymous=302, student=OK, parent=OK, registry=OK, school_admin=OK)
EXPORTERS_API = who(404, anonymous=401, student=200, parent=200, registry=200, school_admin=200)
EXPORT = lambda w: {"pk": w.extra["export"].pk}  # noqa: E731
API_EXPORT = lambda w: {"export_id": w.extra["export"].pk}  # noqa: E731

CASES = [
    Case("portfolio:my_outcomes", STUDENT_PAGE),
    Case("portfolio:my_outcomes", who(404, anonymous=302, student=OK), method="post", data=lambda w: {}),
    Case("portfolio:outcome_detail", SEES_OUTCOME, kwargs=OUTCOME),
    Case("portfolio:outcome_edit", OWNER_POST, kwargs=OUTCOME, method="post", data=lambda w: {"description": "改"}),
    Case("portfolio:outcome_withdraw", OWNER_POST, kwargs=OUTCOME, method="post"),
    Case("portfolio:select_toggle", OWNER_POST, kwargs=OUTCOME, method="post", data=lambda w: {"selected": "1"}),
    Case("portfolio:file", SEES_OUTCOME, kwargs=FILE),
    Case("portfolio:file_preview", SEES_OUTCOME, kwargs=FILE),
    Case("portfolio:selection", STUDENT_PAGE),
    # Staff open the queue (possibly empty); students and parents certify nothing.
    Case("portfolio:queue", who(200, anonymous=302, student=403, parent=403)),
    Case(
        "portfolio:decide",
        who(404, anonymous=302, subject_teacher=OK),
        kwargs=VERSION,
        method="post",
        data=lambda w: {"decision": "pass"},
    ),
    Case(
        "portfolio:pass_selected",
        who(404, anonymous=302, subject_teacher=OK),
        method="post",
        data=lambda w: {"version": [w.extra["version"].pk]},
    ),
    Case("portfolio:class_list", who(200, anonymous=302, student=403, parent=403)),
    Case(
        "portfolio:class_view",
        who(404, anonymous=302, homeroom_teacher=200, registry=200, school_admin=200),
        kwargs=CLASS,
    ),
    # Registry and admin see the class but only its homeroom teacher may remind (a refusal message).
    Case(
        "portfolio:class_remind",
        who(404, anonymous=302, homeroom_teacher=OK, registry=OK, school_admin=OK),
        kwargs=CLASS,
        method="post",
        data=lambda w: {"student": [w.p.student.pk]},
    ),
    Case(
        "portfolio:student_outcomes",
        who(404, anonymous=302, student=200, homeroom_teacher=200, parent=200, registry=200, school_admin=200),
        kwargs=lambda w: {"pk": w.p.student.pk},
    ),
    # The whole portfolio on one page: whoever sees the student's outcomes or performances.
    Case(
        "portfolio:student_portfolio",
        who(404, anonymous=302, student=200, homeroom_teacher=200, parent=200, registry=200, school_admin=200),
        kwargs=lambda w: {"pk": w.p.student.pk},
    ),
    # Exports: the student, their parents, staff with portfolio.view_all.
    Case("portfolio:student_exports", EXPORTERS_PAGE, kwargs=lambda w: {"pk": w.p.student.pk}),
    Case("portfolio:student_exports", EXPORTERS_POST, kwargs=lambda w: {"pk": w.p.student.pk}, method="post"),
    Case("portfolio:exports", STUDENT_PAGE),
    Case("portfolio:exports", who(404, anonymous=302, student=OK), method="post"),
    Case("portfolio:export_status", EXPORTERS_PAGE, kwargs=EXPORT),
    Case("portfolio:export_download", EXPORTERS_PAGE, kwargs=EXPORT),
    Case("portfolio:export_summary", EXPORTERS_PAGE, kwargs=EXPORT),
    Case("portfolio:children", who(404, anonymous=302, parent=200)),
    Case("portfolio:overview", VIEW_ALL_PAGE),
    Case("portfolio:reasons", VIEW_ALL_PAGE),
    Case("portfolio:reasons", VIEW_ALL_POST, method="post", data=lambda w: {"code": "05", "label": "測試"}),
    Case("portfolio:extensions", VIEW_ALL_PAGE),
    Case("portfolio:extensions", VIEW_ALL_POST, method="post", data=lambda w: {"username": "student"}),
    Case(
        "portfolio:extension_revoke",
        who(403, anonymous=302, registry=OK, school_admin=OK, outsider=404),
        kwargs=lambda w: {"pk": w.extra["window_extension"].pk},
        method="post",
    ),
    # --- API ---------------------------------------------------------------------------------
    Case("api-v1:portfolio_outcome_list", who(404, anonymous=401, student=200)),
    # Multipart only: an empty JSON body is refused (422) before the student check, for everyone.
    Case("api-v1:portfolio_outcome_upload", who(OK, anonymous=401), method="post"),
    Case(
        "api-v1:portfolio_outcome_detail", who(200, anonymous=401, other_teacher=404, outsider=404), kwargs=API_OUTCOME
    ),
    Case("api-v1:portfolio_outcome_withdraw", who(404, anonymous=401, student=OK), kwargs=API_OUTCOME, method="post"),
    Case("api-v1:portfolio_outcome_selection", who(404, anonymous=401, student=OK), kwargs=API_OUTCOME, method="post"),
    Case(
        "api-v1:portfolio_outcome_selection", who(404, anonymous=401, student=OK), kwargs=API_OUTCOME, method="delete"
    ),
    Case("api-v1:portfolio_counters", who(404, anonymous=401, student=200)),
    Case("api-v1:portfolio_queue", who(200, anonymous=401)),
    Case(
        "api-v1:portfolio_decide",
        who(404, anonymous=401, subject_teacher=OK),
        kwargs=lambda w: {"version_id": w.extra["version"].pk},
        method="post",
        data=lambda w: {"passed": True},
    ),
    Case(
        "api-v1:portfolio_pass_many",
        who(404, anonymous=401, subject_teacher=200),
        method="post",
        data=lambda w: {"version_ids": [w.extra["version"].pk]},
    ),
    Case("api-v1:portfolio_reasons", who(200, anonymous=401)),
    # Without student_id: the caller's own portfolio (only students have one).
    Case("api-v1:portfolio_export_request", who(404, anonymous=401, student=OK), method="post"),
    Case(
        "api-v1:portfolio_export_request",
        who(404, anonymous=401, student=OK, parent=OK, registry=OK, school_admin=OK),
        method="post",
        data=lambda w: {"student_id": w.p.student.pk},
    ),
    Case("api-v1:portfolio_export_detail", EXPORTERS_API, kwargs=API_EXPORT),
    Case("api-v1:portfolio_export_download", EXPORTERS_API, kwargs=API_EXPORT),
]


def extend(world: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from licheng.audit.services import Actor
    from licheng.files.services import file_ingest
    from licheng.files.tests import corpus
    from licheng.portfolio.models import CourseOutcome, CourseOutcomeFile, CourseOutcomeVersion

    p = world.p
    today = timezone.localdate()
    for kind in ("upload", "certification", "selection"):
        setattr(p.term, f"{kind}_opens_on", today - datetime.timedelta(days=1))
        setattr(p.term, f"{kind}_closes_on", today + datetime.timedelta(days=1))
    p.term.save()
    stored = file_ingest(
        actor=Actor(user=p.student_user),
        school=p.school,
        upload=SimpleUploadedFile("work.pdf", corpus.pdf()),
        document_max_bytes=4 * 1024 * 1024,
        media_max_bytes=10 * 1024 * 1024,
    )
    stored.preview_name = stored.storage_name  # stands in for the preview the background job makes
    stored.save(update_fields=["preview_name"])
    outcome = CourseOutcome.objects.create(
        school=p.school, student=p.student, course=p.course, term=p.term, academic_year_id=p.term.academic_year_id
    )
    version = CourseOutcomeVersion.objects.create(school=p.school, outcome=outcome, number=1, description="作品")
    world.extra["outcome"] = outcome
    from licheng.portfolio.models import WindowExtension

    world.extra["window_extension"] = WindowExtension.objects.create(
        school=p.school,
        user=p.student_user,
        kind="upload",
        term=p.term,
        until=today + datetime.timedelta(days=5),
        reason="住院",
        granted_by=p.registry,
    )
    world.extra["version"] = version
    world.extra["outcome_file"] = CourseOutcomeFile.objects.create(school=p.school, version=version, stored_file=stored)
    # A finished export with its files in storage.
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from licheng.portfolio.models import ExportStatus, PortfolioExport

    zip_name = default_storage.save("exports/matrix/portfolio.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18))
    pdf_name = default_storage.save("exports/matrix/summary.pdf", ContentFile(corpus.pdf()))
    world.extra["export"] = PortfolioExport.objects.create(
        school=p.school,
        student=p.student,
        requested_by=p.student_user,
        status=ExportStatus.DONE,
        file=zip_name,
        summary_file=pdf_name,
        size=22,
        sha256="0" * 64,
        finished_at=timezone.now(),
    )
