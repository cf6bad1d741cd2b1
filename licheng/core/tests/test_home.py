"""Each person lands on a home page of what needs their attention, with empty states that say what
will appear there; every section stays within the person's own school."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from licheng.people.models import ProxyAssignment
from licheng.schools import rocdate
from licheng.testing.clients import client_in
from licheng.testing.factories import StudentFactory, enrol, make_course, make_staff
from licheng.testing.personas import Personas


def _home(user: object, language: str = "en") -> str:
    response = client_in(language, user).get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_goes_to_login(db: None) -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_student_sees_profile_courses_and_upload_window(personas: Personas) -> None:
    term = personas.term
    term.upload_opens_on = timezone.localdate() + datetime.timedelta(days=3)
    term.upload_closes_on = timezone.localdate() + datetime.timedelta(days=20)
    term.save()
    page = _home(personas.student_user)
    student = personas.student
    assert 'id="section-student"' in page
    assert student.student_number in page
    assert student.national_id_masked in page
    assert student.national_id not in page  # never the whole ID
    assert "101" in page
    assert "國文" in page and "李老師" in page  # the course they take, with its teacher
    assert "物理" not in page  # not the course they don't take
    opens = term.upload_opens_on
    assert f"{opens.year - 1911}.{opens:%m.%d}" in page
    assert "Course outcomes to upload will appear here when the upload window opens" in page
    # A student has no staff sections.
    assert 'id="section-teacher"' not in page and 'id="section-registry"' not in page


def test_student_without_window_dates_is_told_so(personas: Personas) -> None:
    page = _home(personas.student_user)
    assert "the school has not set its dates yet" in page


def test_subject_teacher_sees_courses_with_enrolment_counts(personas: Personas) -> None:
    enrol(personas.course, *StudentFactory.create_batch(2, school_class=personas.school_class))
    page = _home(personas.subject_teacher)
    assert 'id="section-teacher"' in page
    assert "國文" in page
    assert '<td class="number">3</td>' in page  # the persona student plus two
    assert "物理" not in page  # the other teacher's course
    # no empty state saying certification requests "will appear here" above the real count
    assert "will appear here when the certification window opens" not in page
    assert page.count("My courses this term") == 1


def test_teacher_without_courses_gets_empty_state(personas: Personas) -> None:
    teacher = make_staff(personas.school, "subject_teacher", username="newteacher")
    page = _home(teacher)
    assert "You teach no course in term 114-1 yet" in page


def test_homeroom_teacher_sees_class_with_student_count(personas: Personas) -> None:
    StudentFactory.create_batch(3, school_class=personas.school_class)
    page = _home(personas.homeroom_teacher)
    assert 'id="section-homeroom"' in page
    assert "101" in page and "4 students" in page
    assert 'id="section-teacher"' in page  # also teaches


def test_counsellor_sees_counselled_classes(personas: Personas) -> None:
    counsellor = make_staff(personas.school, "course_counsellor", username="counsel")
    page = _home(counsellor)
    assert "The classes you counsel this year will appear here" in page
    personas.school_class.counsellor = counsellor
    personas.school_class.save()
    page = _home(counsellor)
    assert "101" in page and "1 student" in page


def test_registry_sees_students_by_grade_and_unused_accounts(personas: Personas) -> None:
    page = _home(personas.registry)
    assert 'id="section-registry"' in page
    assert "Grade 10" in page
    assert "No verification round yet." in page  # the verification section's empty state
    assert "accounts have never logged in" in page


def test_school_admin_sees_settings_summary_and_proxies_today(personas: Personas) -> None:
    today = timezone.localdate()
    ProxyAssignment.objects.create(
        school=personas.school,
        principal=personas.subject_teacher,
        proxy=personas.other_teacher,
        duty="certify_course",
        course=personas.course,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=5),
    )
    page = _home(personas.school_admin)
    assert 'id="section-admin"' in page
    assert "114-1" in page  # current term
    assert "up to 6" in page  # course outcomes selected per year, from the school's rules
    assert "張老師" in page and "李老師" in page


def test_school_admin_sees_at_most_ten_proxies_with_a_count(personas: Personas) -> None:
    today = timezone.localdate()
    for _ in range(12):
        ProxyAssignment.objects.create(
            school=personas.school,
            principal=personas.subject_teacher,
            proxy=personas.other_teacher,
            duty="certify_course",
            course=personas.course,
            starts_on=today,
            ends_on=today,
        )
    page = _home(personas.school_admin)
    assert page.count("張老師 <span") == 10
    assert "Showing 10 of 12 proxies in effect." in page


def test_school_admin_without_proxies_gets_empty_state(personas: Personas) -> None:
    assert "No proxy is in effect today" in _home(personas.school_admin)


def test_parent_sees_each_child_with_class(personas: Personas) -> None:
    page = _home(personas.parent)
    assert 'id="section-parent"' in page
    assert "陳小明" in page and "class 101" in page


def test_office_role_gets_an_empty_state_per_office(personas: Personas) -> None:
    clerk = make_staff(personas.school, "activities", "guidance", username="clerk")
    page = _home(clerk)
    assert 'id="section-office-activities"' in page
    assert 'id="section-office-guidance"' in page
    assert "will appear here when this term's schedule is published" in page


def test_office_card_says_not_yet_published_only_while_it_is_not(personas: Personas) -> None:
    from licheng.audit.services import Actor
    from licheng.schedule import services as schedule_services
    from licheng.schedule.models import ScheduleEntry

    clerk = make_staff(personas.school, "discipline", "guidance", username="clerk")
    term = personas.term
    entry = schedule_services.schedule_entry_create(
        actor=Actor(user=personas.registry),
        term=term,
        work_item="entry_discipline",
        starts_on=term.starts_on,
        ends_on=term.starts_on + datetime.timedelta(days=14),
        publish=False,
    )
    assert "will appear here when this term's schedule is published" in _home(clerk)  # a draft is not published
    ScheduleEntry.objects.filter(pk=entry.pk).update(published_at=timezone.now())
    page = _home(clerk)
    assert "will appear here when this term's schedule is published" not in page
    assert "Attendance, rewards and penalties entered" in page  # the discipline section's window, with its dates
    assert rocdate.format_roc(term.starts_on) in page
    assert "This term's schedule is published; it has no window for the Guidance office." in page


def test_user_without_roles_is_told_what_will_appear(personas: Personas) -> None:
    loner = make_staff(personas.school, username="loner")
    assert "You hold no role in this school yet" in _home(loner)


def test_outsider_sees_only_own_school(personas: Personas) -> None:
    page = _home(personas.outsider)
    assert "乙高級中學" in page
    assert "甲高級中學" not in page
    assert "陳小明" not in page and "國文" not in page
    assert "Enrolled students will appear here" in page  # their school has no students


def test_home_is_in_chinese_by_default(personas: Personas) -> None:
    page = _home(personas.student_user, language="zh-hant")
    assert '<html lang="zh-Hant-TW">' in page
    assert "我的學習歷程" in page


@pytest.mark.parametrize(
    ("name", "limit"),
    [
        # Each: session, user with school, roles, permissions = 4 (no session write within a minute),
        # and the announcements section: the user's classes' grades, current announcements = 2.
        # student: core (term, courses, their teachers) 3 with the profile fetched once for every section 1;
        # portfolio (versions, rules, terms with outcomes, selections, schedule entries, window extension,
        # unread notifications) 7; performances (counts in one aggregate, term, schedule entries) 3;
        # profile verification 1; upcoming deadlines (term, schedule entries) 2; the windows as the
        # schedule answers them for the profile card (entries, the student's grade) and the
        # course-outcome card (entries) 3.
        ("student", 4 + 2 + 1 + 3 + 7 + 3 + 1 + 2 + 3),
        # + term, courses, taught courses, proxies, pending count; deadlines: term, schedule entries;
        # the certification window on the certification card 1
        ("subject_teacher", 4 + 2 + 5 + 2 + 1),
        ("homeroom_teacher", 4 + 2 + 5 + 2 + 1),
        # + students by grade, accounts never used, newest verification round; deadlines: term, term,
        # schedule entries; self-check items of the office; open help requests
        ("registry", 4 + 2 + 3 + 3 + 1 + 1),
        # + rules, first proxies today and their count, term; backups: last run, last good run
        ("school_admin", 4 + 2 + 4 + 2),
        ("parent", 4 + 2 + 1 + 1),  # + children; performances: children again
    ],
)
def test_home_query_count_does_not_grow(
    personas: Personas, django_assert_max_num_queries: object, name: str, limit: int
) -> None:
    user = personas.by_name()[name]
    client = Client()
    client.force_login(user)
    client.get("/")
    for _ in range(4):
        extra = StudentFactory.create_batch(3, school_class=personas.school_class)
        course = make_course(
            personas.term, personas.subject_teacher, subject="數學", school_class=personas.school_class
        )
        enrol(course, personas.student, *extra)
        for _ in range(3):
            ProxyAssignment.objects.create(
                school=personas.school,
                principal=personas.subject_teacher,
                proxy=personas.other_teacher,
                duty="certify_course",
                course=course,
                starts_on=timezone.localdate(),
                ends_on=timezone.localdate(),
            )
    with django_assert_max_num_queries(limit):  # type: ignore[operator]
        assert client.get("/").status_code == 200


def _section(page: str, key: str) -> str:
    start = page.index(f'id="section-{key}"')
    return page[start : page.index("</section>", start)]


def test_home_sections_show_an_empty_state_only_when_truly_empty(personas: Personas) -> None:
    """Parent and counsellor: each section once, and no "will appear here" above what is there."""
    from licheng.counselling.models import CounsellingSession

    parent_page = _home(personas.parent)
    assert parent_page.count('id="section-parent"') == 1
    assert personas.student.name in _section(parent_page, "parent")
    assert "will appear here" not in _section(parent_page, "parent")

    counsellor = make_staff(personas.school, "course_counsellor", username="counsellor")
    assert "Counselling records you keep will appear here." in _home(counsellor)
    CounsellingSession.objects.create(
        school=personas.school, counsellor=counsellor, kind="individual", held_on=timezone.localdate(), content="x"
    )
    page = _section(_home(counsellor), "counsellor")
    assert "You have written 1 counselling record." in page
    assert "Counselling records you keep will appear here." not in page


def test_every_app_registers_its_menu_and_home_sections_in_one_registry() -> None:
    """``core.home`` and ``core.navigation`` import no app's menu; the apps register at start-up."""
    import ast
    import pathlib

    from licheng.core import registry

    core = pathlib.Path(__file__).resolve().parents[1]
    for module in ("home.py", "navigation.py"):
        tree = ast.parse((core / module).read_text())
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        menus = {m for m in imported if m.endswith("menu") and not m.startswith("licheng.core")}
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
        assert not menus and not {n for n in names if n.endswith("menu")}, f"core/{module} imports an app's menu"
    url_names = {e.url_names[0] if isinstance(e.url_names, tuple) else e.url_names for e in registry.menu_entries()}
    assert {"records:grades", "portfolio:queue", "performances:mine", "counselling:list", "backups:status"} <= url_names
    builders = {slot.build.__module__ for slot in registry.home_slots()}
    assert {"licheng.core.home", "licheng.portfolio.menu", "licheng.schedule.menu"} <= builders
