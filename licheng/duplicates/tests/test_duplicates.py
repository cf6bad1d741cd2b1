"""The teacher certifying an item sees whether the same file or a near-identical picture was handed
in by another student or by the same student for another course, with links they may follow; the
working group sees the school's counts."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageDraw

from licheng.duplicates.models import ContentHash
from licheng.portfolio.models import CourseOutcome
from licheng.portfolio.tests.conftest import World
from licheng.testing.factories import StudentFactory, enrol, make_course


def picture(dot: bool = False, colour: tuple[int, int, int] = (30, 90, 160)) -> bytes:
    image = Image.new("RGB", (320, 240), (250, 250, 245))
    draw = ImageDraw.Draw(image)
    for x in range(0, 320, 40):
        draw.rectangle([x, (x * 3) % 200, x + 25, (x * 3) % 200 + 40], fill=colour)
    draw.ellipse([100, 60, 220, 180], outline=(200, 40, 40), width=6)
    if dot:
        draw.rectangle([5, 5, 8, 8], fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def upload(world: World, user: Any, course: Any, data: bytes, name: str) -> CourseOutcome:
    response = world.client(user).post(
        reverse("portfolio:my_outcomes"),
        {
            "course": course.pk,
            "description": "作品",
            "files": [SimpleUploadedFile(name, data, content_type="image/png")],
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return CourseOutcome.objects.filter(student__user=user).latest("pk")


def setting(world: World) -> dict[str, Any]:
    """Three students of the class: the first hands in a poster; the second the very same file; the
    third a copy with one dot added; the first also hands the poster in for a second course."""
    p = world.p
    second = StudentFactory.create(school_class=p.school_class, name="林同學")
    third = StudentFactory.create(school_class=p.school_class, name="陳同學")
    enrol(p.course, second, third)
    art = make_course(p.term, p.subject_teacher, subject="美術", school_class=p.school_class)
    enrol(art, p.student)
    first = upload(world, p.student_user, p.course, picture(), "poster.png")
    copied = upload(world, second.user, p.course, picture(), "mine.png")
    similar = upload(world, third.user, p.course, picture(dot=True), "poster2.png")
    again = upload(world, p.student_user, art, picture(), "poster.png")
    return {"first": first, "copied": copied, "similar": similar, "again": again, "second": second}


@pytest.mark.django_db
def test_teacher_sees_same_file_and_near_identical_picture_with_links(world: World) -> None:
    s = setting(world)
    teacher = world.client(world.p.subject_teacher)
    page = teacher.get(reverse("portfolio:outcome_detail", args=[s["copied"].pk])).content.decode()
    assert 'id="duplicate-hints"' in page
    assert 'data-kind="same_file" data-whose="other_student"' in page
    assert reverse("portfolio:outcome_detail", args=[s["first"].pk]) in page
    assert world.p.student.name in page and "the very same file" in page and "not a verdict" in page
    # The dotted copy is not the same file, but its picture is near-identical.
    page = teacher.get(reverse("portfolio:outcome_detail", args=[s["similar"].pk])).content.decode()
    assert 'data-kind="similar" data-whose="other_student"' in page
    assert 'data-kind="same_file"' not in page
    # The same student's poster for two courses.
    page = teacher.get(reverse("portfolio:outcome_detail", args=[s["first"].pk])).content.decode()
    assert 'data-kind="same_file" data-whose="same_student"' in page
    assert "美術" in page


@pytest.mark.django_db
def test_students_and_parents_see_no_hints_and_unrelated_work_has_none(world: World) -> None:
    s = setting(world)
    p = world.p
    for user in (p.student_user, p.parent):
        page = world.client(user).get(reverse("portfolio:outcome_detail", args=[s["first"].pk])).content.decode()
        assert 'id="duplicate-hints"' not in page
    other = StudentFactory.create(school_class=p.school_class)
    enrol(p.course, other)
    own = upload(world, other.user, p.course, _different(), "own.png")
    page = world.client(p.subject_teacher).get(reverse("portfolio:outcome_detail", args=[own.pk])).content.decode()
    section = page.split('id="duplicate-hints"')[1].split("</section>")[0]
    assert "duplicate-hint" not in section and "has the same file or a near-identical picture" in section


def _different() -> bytes:
    image = Image.new("RGB", (320, 240), (20, 20, 20))
    draw = ImageDraw.Draw(image)
    for y in range(0, 240, 12):
        draw.line([0, y, 320, 240 - y], fill=(240, 200, 0), width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.mark.django_db
def test_working_group_dashboard_counts(world: World, django_capture_on_commit_callbacks: Any) -> None:
    # After each upload commits, the preview job runs, and records the picture's hash as it goes.
    with django_capture_on_commit_callbacks(execute=True):
        setting(world)
    assert ContentHash.objects.exclude(phash="").count() == 2
    from licheng.testing.factories import make_staff

    member = make_staff(world.p.school, "working_group", username="wg")
    page = world.client(member).get(reverse("workinggroup:index")).content.decode()
    assert 'id="duplicate-counts"' in page
    section = page.split('id="duplicate-counts"')[1].split("</section>")[0]
    # poster.png: in two students' outcomes, and in the first student's for two courses; the dotted
    # copy looks like it: one pair.
    assert "1 file is in course outcomes of more than one student." in section
    assert "1 file was handed in by the same student for more than one course." in section
    assert "1 pair of different files looks near-identical." in section
