"""Permission-matrix rows for verifiable credentials (``licheng.credentials``).

The school's key set, issuer profile and status list, and ``/verify/``, are public. A credential is
fetched by whoever sees its course outcome; only the course's teacher (or proxy) revokes.
"""

from __future__ import annotations

from typing import Any

from licheng.tests.matrix_base import OK, PUBLIC, Case, who

CODE = lambda w: {"code": w.p.school.code}  # noqa: E731
CREDENTIAL = lambda w: {"pk": w.extra["credential"].pk}  # noqa: E731
SEES_OUTCOME = who(200, anonymous=302, other_teacher=404, outsider=404)

CASES = [
    Case("credentials:jwks", PUBLIC, kwargs=CODE),
    Case("credentials:issuer", PUBLIC, kwargs=CODE),
    Case("credentials:status_list", PUBLIC, kwargs=CODE),
    Case("verify", PUBLIC),
    Case("verify", PUBLIC, method="post", data=lambda w: {"token": w.extra["credential"].token}),
    Case("credentials:download", SEES_OUTCOME, kwargs=CREDENTIAL),
    Case("credentials:qr", SEES_OUTCOME, kwargs=CREDENTIAL),
    # Those who see the outcome get through to the service, which refuses all but the teacher.
    Case(
        "credentials:revoke",
        who(OK, anonymous=302, other_teacher=404, outsider=404),
        kwargs=CREDENTIAL,
        method="post",
        data=lambda w: {"reason": "測試"},
    ),
]


def extend(world: Any) -> None:
    """A second outcome of the persona student, certified, with its credential."""
    from licheng.audit.services import Actor
    from licheng.credentials.services import credential_issue
    from licheng.portfolio.models import CourseOutcome, CourseOutcomeVersion

    p = world.p
    outcome = CourseOutcome.objects.create(
        school=p.school, student=p.student, course=p.course, term=p.term, academic_year_id=p.term.academic_year_id
    )
    version = CourseOutcomeVersion.objects.create(
        school=p.school,
        outcome=outcome,
        number=1,
        description="已認證",
        state="passed",
        decided_by=p.subject_teacher,
        decided_at=outcome.created_at,
    )
    version.outcome_files.create(school=p.school, stored_file=world.extra["outcome_file"].stored_file)
    world.extra["credential"] = credential_issue(actor=Actor(user=p.subject_teacher), version=version)
