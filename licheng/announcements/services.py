"""Every change to announcements, parent notices and help requests."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from licheng.announcements.models import (
    Announcement,
    AnnouncementTarget,
    HelpRequest,
    HelpStatus,
    ParentNotice,
    TargetKind,
)
from licheng.audit.services import Actor, record
from licheng.core.errors import ServiceError
from licheng.core.permissions import has_permission, roles_of
from licheng.notifications.email import deliver
from licheng.notifications.models import Category
from licheng.notifications.services import absolute_link, notify
from licheng.people.roles import OFFICE_ROLES, Role
from licheng.schools import rocdate

if TYPE_CHECKING:
    from licheng.people.models import User
    from licheng.schools.models import School, Term

GRADES = (10, 11, 12)
MAX_TITLE = 120
MAX_TEXT = 4000
MAX_HELP_TEXT = 2000


def _require(actor: Actor, school: School, permission: str) -> User:
    user = actor.user
    if user is None or not has_permission(user, school, permission):
        raise ServiceError(_("You may not do this."))
    return user


# ---------------------------------------------------------------- announcements


def _check_targets(
    school: School, roles: Iterable[str], grades: Iterable[int], class_ids: Iterable[int]
) -> list[tuple[str, str]]:
    from licheng.schools.models import SchoolClass

    roles, grades, class_ids = sorted(set(roles)), sorted(set(grades)), sorted(set(class_ids))
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise ServiceError(_("“{value}” is not a role.").format(value=unknown[0]), field="roles")
    wrong = [g for g in grades if g not in GRADES]
    if wrong:
        raise ServiceError(_("Grade must be 10, 11 or 12."), field="grades")
    found = set(SchoolClass.objects.filter(school=school, pk__in=class_ids).values_list("pk", flat=True))
    if len(found) != len(class_ids):
        raise ServiceError(_("Choose classes of this school."), field="classes")
    targets = (
        [(TargetKind.ROLE.value, r) for r in roles]
        + [(TargetKind.GRADE.value, str(g)) for g in grades]
        + [(TargetKind.CLASS.value, str(c)) for c in class_ids]
    )
    if not targets:
        raise ServiceError(_("Choose at least one role, grade or class to send the announcement to."), field="roles")
    return targets


def announcement_post(
    *,
    actor: Actor,
    school: School,
    title: str,
    body: str,
    publish_on: datetime.date,
    expires_on: datetime.date | None = None,
    roles: Iterable[str] = (),
    grades: Iterable[int] = (),
    class_ids: Iterable[int] = (),
    send_email: bool = False,
) -> Announcement:
    """Post a notice to roles, grades and classes. With ``send_email`` it is also e-mailed to every
    recipient once it is published (now, or by the daily job on its publish date)."""
    user = _require(actor, school, "announcements.post")
    title, body = " ".join(title.split()), body.strip()
    if not title:
        raise ServiceError(_("Enter a title."), field="title")
    if len(title) > MAX_TITLE:
        raise ServiceError(_("The title may be at most {n} characters.").format(n=MAX_TITLE), field="title")
    if not body:
        raise ServiceError(_("Enter the text of the announcement."), field="body")
    if len(body) > MAX_TEXT:
        raise ServiceError(_("The text may be at most {n} characters.").format(n=MAX_TEXT), field="body")
    if expires_on is not None and expires_on < publish_on:
        raise ServiceError(_("The announcement cannot expire before it is published."), field="expires_on")
    targets = _check_targets(school, roles, grades, class_ids)
    offices = [o.value for o in OFFICE_ROLES if o.value in roles_of(user, school)]
    with transaction.atomic():
        announcement = Announcement.objects.create(
            school=school,
            title=title,
            body=body,
            office=offices[0] if offices else "",
            author=user,
            publish_on=publish_on,
            expires_on=expires_on,
            send_email=send_email,
        )
        AnnouncementTarget.objects.bulk_create(
            AnnouncementTarget(school=school, announcement=announcement, kind=kind, value=value)
            for kind, value in targets
        )
        record(
            actor=actor,
            school=school,
            action="announcement.post",
            obj=announcement,
            changes={
                "title": title,
                "publish_on": publish_on,
                "expires_on": expires_on,
                "targets": [f"{k}:{v}" for k, v in targets],
                "send_email": send_email,
            },
        )
        if send_email and publish_on <= timezone.localdate():
            from licheng.announcements.tasks import email_announcement

            pk = announcement.pk
            transaction.on_commit(lambda: email_announcement.enqueue(pk))
    return announcement


def announcement_withdraw(*, actor: Actor, announcement: Announcement) -> Announcement:
    _require(actor, announcement.school, "announcements.post")
    with transaction.atomic():
        announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
        if announcement.withdrawn_at is not None:
            raise ServiceError(_("This announcement was already withdrawn."))
        announcement.withdrawn_at = timezone.now()
        announcement.save(update_fields=["withdrawn_at"])
        record(actor=actor, school=announcement.school, action="announcement.withdraw", obj=announcement)
    return announcement


def recipients_of(announcement: Announcement) -> list[User]:
    """Everyone an announcement is addressed to: holders of its roles; students of its grades and
    classes and their parents (active accounts; enrolled students)."""
    from licheng.people.models import EnrolmentStatus, ParentLink, RoleGrant, Student, User

    by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, value in announcement.targets.values_list("kind", "value"):
        by_kind[kind].append(value)
    ids: set[int] = set()
    if by_kind[TargetKind.ROLE]:
        ids |= set(
            RoleGrant.objects.filter(school=announcement.school, role__in=by_kind[TargetKind.ROLE]).values_list(
                "user_id", flat=True
            )
        )
    grades = [int(g) for g in by_kind[TargetKind.GRADE]]
    classes = [int(c) for c in by_kind[TargetKind.CLASS]]
    if grades or classes:
        students = Student.objects.filter(school=announcement.school, status=EnrolmentStatus.ENROLLED).filter(
            models_q_grade_or_class(grades, classes)
        )
        ids |= set(students.values_list("user_id", flat=True))
        ids |= set(ParentLink.objects.filter(student__in=students).values_list("parent_id", flat=True))
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def models_q_grade_or_class(grades: list[int], classes: list[int]) -> Any:
    from django.db.models import Q

    q = Q(pk__in=[])
    if grades:
        q |= Q(school_class__grade__in=grades)
    if classes:
        q |= Q(school_class_id__in=classes)
    return q


def announcement_send_emails(announcement: Announcement) -> int:
    """E-mail a published announcement to each recipient once (as each chose); answers how many left."""
    if not announcement.send_email or announcement.withdrawn_at is not None:
        return 0
    link = absolute_link(reverse("announcements:detail", args=[announcement.pk]))
    with translation.override("zh-hant"):
        footer = _("Posted on {date}.").format(date=rocdate.format_roc(announcement.publish_on))
    body = f"{announcement.body}\n\n{footer}\n{link}"
    sent = 0
    for user in recipients_of(announcement):
        if deliver(
            user=user,
            subject=announcement.title,
            body=body,
            dedupe_key=f"announcement:{announcement.school_id}:{announcement.pk}:{user.pk}",
            category=Category.ANNOUNCEMENT,
        ):
            sent += 1
    return sent


def email_due_announcements(school: School, today: datetime.date) -> int:
    """The daily job's part: e-mail announcements published today (idempotent by dedupe keys)."""
    due = Announcement.objects.filter(
        school=school, send_email=True, withdrawn_at__isnull=True, publish_on__lte=today
    ).filter(publish_on__gte=today - datetime.timedelta(days=1))
    return sum(announcement_send_emails(a) for a in due)


# ---------------------------------------------------------------- mid-term parent notice


def progress_counts(school: School, term: Term, student_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Per student: course outcomes uploaded and certified in ``term``, selected for its year (3 queries)."""
    from licheng.portfolio.models import CourseOutcome, CourseOutcomeSelection, VersionState

    student_ids = list(student_ids)
    counts: dict[int, dict[str, int]] = {sid: {"uploaded": 0, "certified": 0, "selected": 0} for sid in student_ids}
    live = CourseOutcome.objects.filter(
        school=school, term=term, withdrawn_at__isnull=True, student_id__in=student_ids
    ).order_by()
    for row in live.values("student_id").annotate(n=Count("id")):
        counts[row["student_id"]]["uploaded"] = row["n"]
    certified = (
        live.filter(versions__state=VersionState.PASSED).values("student_id").annotate(n=Count("id", distinct=True))
    )
    for row in certified:
        counts[row["student_id"]]["certified"] = row["n"]
    selected = (
        CourseOutcomeSelection.objects.filter(
            school=school, academic_year_id=term.academic_year_id, student_id__in=student_ids
        )
        .order_by()
        .values("student_id")
        .annotate(n=Count("id"))
    )
    for row in selected:
        counts[row["student_id"]]["selected"] = row["n"]
    return counts


def parent_notice_send(*, actor: Actor, school: School, term: Term, note: str = "") -> ParentNotice:
    """The mid-term progress notice (期中檢核及家長通知): one notice per parent, in the app and by
    e-mail, with each child's course outcomes uploaded, certified and selected for the term."""
    from licheng.people.models import EnrolmentStatus, ParentLink

    user = _require(actor, school, "announcements.parent_notice")
    if term.school_id != school.pk:
        raise ServiceError(_("Choose a term of this school."), field="term")
    note = note.strip()
    if len(note) > 500:
        raise ServiceError(_("The note may be at most {n} characters.").format(n=500), field="note")
    earlier = ParentNotice.objects.filter(school=school, term=term).first()
    if earlier is not None:
        raise ServiceError(
            _("The mid-term notice for {term} was already sent on {date}.").format(
                term=term.label, date=rocdate.format_roc(timezone.localtime(earlier.sent_at).date())
            ),
            field="term",
        )
    links = list(
        ParentLink.objects.filter(
            school=school, student__status=EnrolmentStatus.ENROLLED, parent__is_active=True
        ).select_related("student", "student__school_class", "parent")
    )
    if not links:
        raise ServiceError(_("No enrolled student has a parent account yet."))
    counts = progress_counts(school, term, {link.student_id for link in links})
    by_parent: dict[int, list[Any]] = defaultdict(list)
    for link in links:
        by_parent[link.parent_id].append(link)
    link_url = reverse("portfolio:children")
    with transaction.atomic():
        notice = ParentNotice.objects.create(school=school, term=term, sent_by=user, parents=len(by_parent), note=note)
        for children in by_parent.values():
            parent = children[0].parent
            summary = "；".join(
                _fill(CHILD_LINE, name=c.student.name, **counts[c.student_id])
                for c in sorted(children, key=lambda c: c.student.name)
            )
            notify(
                user=parent,
                message=gettext_noop("Mid-term progress notice for {term}: {summary} {note}"),
                params={"term": term.label, "summary": summary, "note": note},
                link=link_url,
                category=Category.ANNOUNCEMENT,
                dedupe_key=f"parent_notice:{school.pk}:{term.pk}:{parent.pk}",
                email=True,
            )
        record(
            actor=actor,
            school=school,
            action="parent_notice.send",
            obj=notice,
            changes={"term": term.pk, "parents": len(by_parent), "note": note},
        )
    return notice


CHILD_LINE = gettext_noop("{name}: {uploaded} uploaded, {certified} certified, {selected} selected.")


def _fill(message: str, **params: Any) -> str:
    with translation.override("zh-hant"):
        return _(message).format(**params)


# ---------------------------------------------------------------- help requests


def clean_page_url(value: str) -> str:
    """Only a path of this site is kept (``/portfolio/?x=1``); anything else is dropped."""
    value = (value or "").strip()
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return ""
    return value[:500]


def help_request_create(*, actor: Actor, school: School, text: str, page_url: str = "") -> HelpRequest:
    """Anyone signed in reports a problem; the page and the time are kept with it."""
    user = actor.user
    if user is None:
        raise ServiceError(_("Sign in to report a problem."))
    text = text.strip()
    if not text:
        raise ServiceError(_("Describe the problem."), field="text")
    if len(text) > MAX_HELP_TEXT:
        raise ServiceError(_("The description may be at most {n} characters.").format(n=MAX_HELP_TEXT), field="text")
    with transaction.atomic():
        request = HelpRequest.objects.create(school=school, reporter=user, text=text, page_url=clean_page_url(page_url))
        record(
            actor=actor,
            school=school,
            action="help_request.create",
            obj=request,
            changes={"page_url": request.page_url, "text": text},
        )
    return request


def help_request_answer(*, actor: Actor, help_request: HelpRequest, answer: str) -> HelpRequest:
    """The library/IT section or the registry answers; the reporter is told in the app and by e-mail."""
    user = _require(actor, help_request.school, "announcements.answer_help")
    answer = answer.strip()
    if not answer:
        raise ServiceError(_("Write an answer."), field="answer")
    if len(answer) > MAX_HELP_TEXT:
        raise ServiceError(_("The answer may be at most {n} characters.").format(n=MAX_HELP_TEXT), field="answer")
    with transaction.atomic():
        row = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
        before = row.answer
        row.answer = answer
        row.status = HelpStatus.ANSWERED
        row.answered_by = user
        row.answered_at = timezone.now()
        row.save(update_fields=["answer", "status", "answered_by", "answered_at"])
        record(
            actor=actor,
            school=row.school,
            action="help_request.answer",
            obj=row,
            changes={"answer": [before, answer]},
        )
        notify(
            user=row.reporter,
            message=gettext_noop("Your help request #{number} was answered: {answer}"),
            params={"number": row.pk, "answer": answer[:200]},
            link=reverse("announcements:help_detail", args=[row.pk]),
            category=Category.HELP_REQUEST,
            dedupe_key=f"help:{row.school_id}:{row.pk}:{row.answered_at.isoformat()}",
            email=True,
        )
    return row
