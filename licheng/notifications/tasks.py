"""Background jobs of notifications: the daily deadline reminders.

``send_due_reminders`` (no arguments; the periodic runner enqueues it every morning) loops over the
schools. For every window that closes within the school's ``ReminderSettings.days_before`` days
(``licheng.schedule.windows`` answers the dates, per grade), it reminds

- students with nothing uploaded for the term (upload window) or nothing selected for the year
  (selection window);
- teachers with versions awaiting their certification: ONE digest per teacher per day, listing the
  courses and how many are waiting in each;
- offices with self-check items (``licheng.progress``) not yet done and due within those days:
  one digest per office holder per day.

It also e-mails announcements whose publish date has come (``licheng.announcements``).

Each notice goes in the app and by e-mail (as each person chose) under a dedupe key naming the
school, work item, term, day and person, so running the job twice on a day sends nothing twice.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections import defaultdict
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django_scopes import scope, scopes_disabled
from django_tasks import task

from licheng.notifications.email import deliver
from licheng.notifications.models import Category
from licheng.notifications.services import absolute_link, notify, reminder_days
from licheng.schools import rocdate

logger = logging.getLogger(__name__)

GRADES = (10, 11, 12)
STUDENT_ITEMS = ("upload", "selection")


@dataclasses.dataclass
class Due:
    work_item: str
    term: Any
    grades: list[int]
    closes_on: datetime.date


@dataclasses.dataclass
class Sent:
    in_app: int = 0
    emails: int = 0

    def add(self, other: Sent) -> None:
        self.in_app += other.in_app
        self.emails += other.emails


def _link(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _closing_dates(school: Any, work_item: str, term: Any) -> dict[int, datetime.date | None]:
    """Last day of ``work_item``'s window in ``term`` per grade (the schedule decides; until it is
    importable, the term's own dates answer for every grade)."""
    try:
        from licheng.schedule.windows import window_dates
    except ImportError:  # pragma: no cover - the schedule app is always there once merged
        from licheng.portfolio.windows import window_dates as term_window_dates

        closes = term_window_dates(work_item, term)[1]
        return dict.fromkeys(GRADES, closes)
    return {grade: window_dates(school, work_item, term, grade)[1] for grade in GRADES}


def due_windows(school: Any, today: datetime.date, days: int) -> list[Due]:
    """Windows of upload, certification and selection that close between today and ``days`` days on."""
    from licheng.schools.models import Term

    horizon = today + datetime.timedelta(days=days)
    terms = Term.objects.filter(
        school=school, starts_on__lte=horizon, ends_on__gte=today - datetime.timedelta(days=200)
    ).select_related("academic_year")
    found = []
    for term in terms:
        for work_item in ("upload", "certification", "selection"):
            by_grade = _closing_dates(school, work_item, term)
            grades = [g for g, closes in by_grade.items() if closes is not None and today <= closes <= horizon]
            if grades:
                closes_on = min(by_grade[g] for g in grades)  # type: ignore[type-var]
                found.append(Due(work_item, term, grades, closes_on))  # type: ignore[arg-type]
    return found


def _send(
    *,
    user: Any,
    dedupe_key: str,
    message: str,
    params: dict[str, Any],
    link: str,
    subject: str,
    body: str,
) -> Sent:
    sent = Sent()
    if notify(user=user, message=message, params=params, link=link, category=Category.REMINDER, dedupe_key=dedupe_key):
        sent.in_app += 1
    if deliver(user=user, subject=subject, body=body, dedupe_key=dedupe_key, category=Category.REMINDER):
        sent.emails += 1
    return sent


def _remind_students(school: Any, due: Due, today: datetime.date) -> Sent:
    from licheng.courses.models import Enrolment
    from licheng.people.models import EnrolmentStatus, Student
    from licheng.portfolio.models import CourseOutcome, CourseOutcomeSelection

    students = Student.objects.filter(
        school=school, status=EnrolmentStatus.ENROLLED, school_class__grade__in=due.grades, sealed_at__isnull=True
    )
    if due.work_item == "upload":
        takers = Enrolment.objects.filter(course__term=due.term).values("student_id")
        done = CourseOutcome.objects.filter(term=due.term, withdrawn_at__isnull=True).values("student_id")
        students = students.filter(pk__in=takers).exclude(pk__in=done)
        message = gettext_noop(
            "You have not uploaded any course outcome for {term}; the upload window closes on {closes_on}."
        )
        link = _link("portfolio:my_outcomes")
    else:
        year = due.term.academic_year_id
        has_any = CourseOutcome.objects.filter(academic_year_id=year, withdrawn_at__isnull=True).values("student_id")
        selected = CourseOutcomeSelection.objects.filter(academic_year_id=year).values("student_id")
        students = students.filter(pk__in=has_any).exclude(pk__in=selected)
        message = gettext_noop(
            "You have not selected any course outcome to submit for {term}; selection closes on {closes_on}."
        )
        link = _link("portfolio:my_outcomes")
    params = {"term": due.term.label, "closes_on": rocdate.format_roc(due.closes_on)}
    sent = Sent()
    with translation.override("zh-hant"):
        text = gettext(message).format(**params)
        subject = gettext("Reminder: {item} closes on {closes_on}").format(
            item=_item_label(due.work_item), closes_on=params["closes_on"]
        )
    body = f"{text}\n\n{absolute_link(link)}" if link else text
    for student in students.select_related("user"):
        sent.add(
            _send(
                user=student.user,
                dedupe_key=f"reminder:{school.pk}:{due.work_item}:{due.term.pk}:{today.isoformat()}:{student.user_id}",
                message=message,
                params=params,
                link=link,
                subject=subject,
                body=body,
            )
        )
    return sent


def _item_label(work_item: str) -> str:
    try:
        from licheng.schedule.windows import WORK_ITEMS

        return str(WORK_ITEMS[work_item].label)
    except (ImportError, KeyError):
        return work_item


def _remind_teachers(school: Any, dues: list[Due], today: datetime.date) -> Sent:
    """One digest per teacher for every certification window closing soon, listed by course."""
    from licheng.courses.models import CourseTeacher
    from licheng.people.models import User
    from licheng.portfolio.models import CourseOutcomeVersion, VersionState

    per_teacher: dict[int, list[tuple[Any, int, datetime.date]]] = defaultdict(list)
    for due in dues:
        pending = (
            CourseOutcomeVersion.objects.filter(
                school=school,
                state=VersionState.PENDING,
                outcome__term=due.term,
                outcome__withdrawn_at__isnull=True,
                outcome__student__school_class__grade__in=due.grades,
            )
            .values("outcome__course_id")
            .order_by()
        )
        counts: dict[int, int] = defaultdict(int)
        for row in pending:
            counts[row["outcome__course_id"]] += 1
        if not counts:
            continue
        assignments = CourseTeacher.objects.filter(course_id__in=counts).select_related(
            "course", "course__school_class"
        )
        for assignment in assignments:
            per_teacher[assignment.teacher_id].append((assignment.course, counts[assignment.course_id], due.closes_on))
    if not per_teacher:
        return Sent()
    sent = Sent()
    link = _link("portfolio:certification_overview") or _link("portfolio:certify_list")
    teachers = User.objects.filter(pk__in=per_teacher, is_active=True)
    for teacher in teachers:
        rows = sorted(per_teacher[teacher.pk], key=lambda r: (r[2], r[0].subject_name, r[0].pk))
        total = sum(count for _c, count, _d in rows)
        first_close = min(closes for _c, _n, closes in rows)
        with translation.override("zh-hant"):
            subject = gettext("Reminder: {count} course outcomes await your certification").format(count=total)
            lines = [
                gettext("{course}: {count} awaiting certification, closes on {closes_on}").format(
                    course=_course_label(course), count=count, closes_on=rocdate.format_roc(closes)
                )
                for course, count, closes in rows
            ]
            intro = gettext("Course outcomes awaiting your certification, by course:")
        body = "\n".join([intro, "", *lines]) + (f"\n\n{absolute_link(link)}" if link else "")
        sent.add(
            _send(
                user=teacher,
                dedupe_key=f"reminder:{school.pk}:certification:{today.isoformat()}:{teacher.pk}",
                message=gettext_noop(
                    "{count} course outcomes await your certification; the first window closes on {closes_on}."
                ),
                params={"count": total, "closes_on": rocdate.format_roc(first_close)},
                link=link,
                subject=subject,
                body=body,
            )
        )
    return sent


def _course_label(course: Any) -> str:
    klass = getattr(course, "school_class", None)
    return f"{course.subject_name}（{klass.name}）" if klass is not None else course.subject_name


def _open_self_check_items(school: Any, today: datetime.date, days: int) -> list[dict[str, Any]]:
    """Self-check items (``licheng.progress.ChecklistItem``) that their office ticks, not done (nor
    marked not applicable) and due between today and ``days`` days on, as
    ``[{"office": role code, "label": str, "due_on": date}]``. Items whose progress the data
    computes are left out: nobody ticks them. Without the progress app, no office reminders."""
    try:
        from licheng.progress.models import ChecklistItem, Status
        from licheng.progress.services import is_computed
    except ImportError:  # pragma: no cover - the progress app is always there once merged
        return []
    horizon = today + datetime.timedelta(days=days)
    items = ChecklistItem.objects.filter(
        school=school, due_on__gte=today, due_on__lte=horizon, status__in=[Status.OPEN, Status.IN_PROGRESS]
    ).order_by("due_on", "position", "pk")
    return [
        {"office": item.office, "label": item.title, "due_on": item.due_on} for item in items if not is_computed(item)
    ]


def _remind_offices(school: Any, today: datetime.date, days: int) -> Sent:
    from licheng.people.models import RoleGrant

    items = _open_self_check_items(school, today, days)
    if not items:
        return Sent()
    by_office: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        by_office[str(item["office"])].append(item)
    grants = RoleGrant.objects.filter(school=school, role__in=by_office, user__is_active=True).select_related("user")
    sent = Sent()
    link = _link("progress:checklist")
    for grant in grants:
        office_items = sorted(by_office[grant.role], key=lambda i: (i["due_on"], str(i["label"])))
        with translation.override("zh-hant"):
            subject = gettext("Reminder: {count} self-check items are still open").format(count=len(office_items))
            lines = [f"{rocdate.format_roc(i['due_on'])} {i['label']}" for i in office_items]
        body = "\n".join([subject, "", *lines]) + (f"\n\n{absolute_link(link)}" if link else "")
        sent.add(
            _send(
                user=grant.user,
                dedupe_key=f"reminder:{school.pk}:selfcheck:{grant.role}:{today.isoformat()}:{grant.user_id}",
                message=gettext_noop("{count} self-check items of your office are still open."),
                params={"count": len(office_items)},
                link=link,
                subject=subject,
                body=body,
            )
        )
    return sent


def send_school_reminders(school: Any, today: datetime.date | None = None) -> Sent:
    today = today or timezone.localdate()
    with scope(school=school):
        days = reminder_days(school)
        if days <= 0:
            return Sent()
        dues = due_windows(school, today, days)
        sent = Sent()
        for due in dues:
            if due.work_item in STUDENT_ITEMS:
                sent.add(_remind_students(school, due, today))
        sent.add(_remind_teachers(school, [d for d in dues if d.work_item == "certification"], today))
        sent.add(_remind_offices(school, today, days))
    return sent


def send_school_announcements(school: Any, today: datetime.date | None = None) -> int:
    """Announcements whose publish date has come and that are to be e-mailed (licheng.announcements)."""
    from licheng.announcements.services import email_due_announcements

    with scope(school=school):
        return email_due_announcements(school, today or timezone.localdate())


@task()
def send_due_reminders() -> dict[str, int]:
    """Every school's reminders for today; safe to run any number of times a day."""
    from licheng.schools.models import School

    total = Sent()
    with scopes_disabled():
        schools = list(School.objects.order_by("pk"))
    for school in schools:
        try:
            total.add(send_school_reminders(school))
            total.emails += send_school_announcements(school)
        except Exception:  # one school's broken data must not stop the others
            logger.exception("reminders for school %s failed", school.pk)
    logger.info("reminders: %s in-app, %s e-mails", total.in_app, total.emails)
    return {"in_app": total.in_app, "emails": total.emails}
