"""Permission-matrix rows for the profile verification each term (``licheng.people.verification``).

The student answers for their own profile only; the registry (``people.manage_students``) opens,
closes and resolves; homeroom teachers follow their classes read-only.
"""

from __future__ import annotations

import datetime

from licheng.tests.matrix_base import OK, POST_REGISTRY_OBJ, Case, World, who

ROUND = lambda w: {"pk": w.extra["verification_round"].pk}  # noqa: E731
CHECK = lambda w: {"pk": w.extra["verification_check"].pk}  # noqa: E731
API_CHECK = lambda w: {"check_id": w.extra["verification_check"].pk}  # noqa: E731
CLASS = lambda w: {"pk": w.extra["verification_round"].pk, "class_pk": w.p.school_class.pk}  # noqa: E731
REPORT = lambda w: {"text": "生日有誤"}  # noqa: E731

# Only the student themself has a profile to check; anyone else: 404.
OWN = who(404, anonymous=302, student=200)
OWN_POST = who(404, anonymous=302, student=OK)
API_OWN = who(404, anonymous=401, student=200)
# The registry follows every class, a homeroom teacher their own; others 403.
FOLLOW = who(403, anonymous=302, homeroom_teacher=200, registry=200, school_admin=200, outsider=200)
FOLLOW_OBJ = who(403, anonymous=302, homeroom_teacher=200, registry=200, school_admin=200, outsider=404)
API_FOLLOW_OBJ = who(403, anonymous=401, homeroom_teacher=200, registry=200, school_admin=200, outsider=404)

CASES = [
    Case("people:my_profile_check", OWN),
    Case("people:profile_confirm", OWN_POST, kwargs=CHECK, method="post"),
    Case("people:profile_report", OWN_POST, kwargs=CHECK, method="post", data=REPORT),
    Case("people:profile_report_resolve", POST_REGISTRY_OBJ, kwargs=CHECK, method="post"),
    Case("people:verification_rounds", FOLLOW),
    Case("people:verification_round", FOLLOW_OBJ, kwargs=ROUND),
    Case("people:verification_round_close", POST_REGISTRY_OBJ, kwargs=ROUND, method="post"),
    Case("people:verification_class", FOLLOW_OBJ, kwargs=CLASS),
    Case("api-v1:verification_mine", API_OWN),
    Case("api-v1:verification_confirm", API_OWN, kwargs=API_CHECK, method="post"),
    Case("api-v1:verification_report", API_OWN, kwargs=API_CHECK, method="post", data=REPORT),
    Case(
        "api-v1:verification_dashboard", API_FOLLOW_OBJ, kwargs=lambda w: {"round_id": w.extra["verification_round"].pk}
    ),
]


def extend(world: World) -> None:
    from licheng.audit.services import Actor
    from licheng.people import verification
    from licheng.people.models import ProfileCheck

    p = world.p
    verification_round = verification.verification_round_open(
        actor=Actor.system(),
        school=p.school,
        term=p.term,
        closes_on=datetime.date.today() + datetime.timedelta(days=365),
    )
    world.extra["verification_round"] = verification_round
    world.extra["verification_check"] = ProfileCheck.objects.get(round=verification_round, student=p.student)
