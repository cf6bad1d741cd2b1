"""Demo data for the portfolio: for the first students of the school, a few course outcomes of the
current term (pending, certified, not passed with a reason), some performances and a reflection,
with small real PDF and PNG files made here — all through the services, so the files go through the
real pipeline and every change is in the audit trail.

Idempotent: a student who already has a course outcome or a performance is left alone. Whatever a
closed window refuses on the day the demo is built is skipped.
"""

from __future__ import annotations

import datetime
import io
import logging

from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.people.models import Student
from licheng.performances import services as performance_services
from licheng.performances.models import Performance
from licheng.portfolio import selectors, services
from licheng.portfolio.models import CertificationReason, CourseOutcome
from licheng.schools.models import School
from licheng.schools.selectors import current_term

logger = logging.getLogger(__name__)

# How many students get demo items.
DEMO_STUDENTS = 12

DESCRIPTIONS = (
    "課堂專題報告：從在地產業看永續發展，附訪談紀錄與心得。",
    "實驗紀錄與分析：以不同變因比較結果，整理成圖表。",
    "閱讀心得與延伸思考，結合課堂討論的觀點。",
)


def _pdf(title: str) -> bytes:
    """A small one-page PDF (text drawn in the page content)."""
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0]
    font = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
    )
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    safe = title.encode("ascii", "replace").decode().replace("(", "[").replace(")", "]")
    page.obj.Contents = pdf.make_stream(f"BT /F1 24 Tf 72 760 Td ({safe}) Tj ET".encode())
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _png(color: tuple[int, int, int]) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), color)
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 460, 300), outline=(255, 255, 255), width=6)
    draw.ellipse((160, 80, 320, 240), fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _try(what: str, action: object) -> object:
    try:
        return action()  # type: ignore[operator]
    except ServiceError as refusal:
        logger.info("demo portfolio: %s skipped: %s", what, refusal.message)
        return None


def _outcomes(student: Student, index: int, today: datetime.date) -> None:
    term = current_term(student.school, today)
    if term is None:
        return
    courses = list(selectors.uploadable_courses(student, [term])[:3])
    actor = Actor(user=student.user)
    made: list[CourseOutcome] = []
    for number, course in enumerate(courses):
        upload = (
            SimpleUploadedFile(f"{course.subject_name}-成果報告.pdf", _pdf(f"Course outcome {number + 1}"))
            if number != 1
            else SimpleUploadedFile(f"{course.subject_name}-海報.png", _png((40 + 60 * number, 90, 160)))
        )
        outcome = _try(
            "course outcome",
            lambda course=course, upload=upload, number=number: services.course_outcome_upload(
                actor=actor,
                student=student,
                course=course,
                description=DESCRIPTIONS[(index + number) % len(DESCRIPTIONS)],
                uploads=[upload],
            ),
        )
        if isinstance(outcome, CourseOutcome):
            made.append(outcome)
    services.ensure_default_reasons(student.school)
    reason = CertificationReason.objects.filter(school=student.school, code="01").first()
    for number, outcome in enumerate(made[:2]):
        teacher = outcome.course.teachers.order_by("pk").first()
        if teacher is None:
            continue
        version = outcome.versions.get()
        if number == 0:
            _try(
                "certification",
                lambda version=version, teacher=teacher: services.course_outcome_decide(
                    actor=Actor(user=teacher), version=version, passed=True
                ),
            )
        elif reason is not None:
            _try(
                "certification",
                lambda version=version, teacher=teacher: services.course_outcome_decide(
                    actor=Actor(user=teacher), version=version, passed=False, reason=reason
                ),
            )


def _performances(student: Student, index: int, today: datetime.date) -> None:
    actor = Actor(user=student.user)
    school = student.school
    start = (today - datetime.timedelta(days=60)).isoformat()
    end = (today - datetime.timedelta(days=10)).isoformat()
    items = [
        (
            1,
            "擔任班級學藝股長，負責班刊編輯與教室布置。",
            {"unit": "班級", "start": start, "post": "學藝股長", "level": "2"},
            None,
        ),
        (
            4,
            "於社區圖書館協助兒童說故事活動。",
            {"name": "兒童說故事志工", "organisation": "市立圖書館分館", "start": start, "end": end, "hours": "12"},
            SimpleUploadedFile("服務時數證明.pdf", _pdf("Service learning certificate")),
        ),
        (
            8,
            "校慶海報設計，獲選為正式宣傳海報。",
            {"name": "校慶宣傳海報", "date": end},
            SimpleUploadedFile("校慶海報.png", _png((200, 80 + index * 7 % 100, 60))),
        ),
    ]
    for kind, description, fields, upload in items[: 2 + index % 2]:
        _try(
            "performance",
            lambda kind=kind, description=description, fields=fields, upload=upload: (
                performance_services.performance_create(
                    actor=actor,
                    school=school,
                    kind=kind,
                    description=description,
                    fields=fields,
                    uploads=[upload] if upload else [],
                )
            ),
        )
    _try(
        "reflection",
        lambda: performance_services.writing_save(
            actor=actor,
            school=school,
            kind="reflection",
            sections={
                "self_awareness": "<p>這學期我發現自己對<strong>設計與溝通</strong>很有興趣。</p>",
                "career_plan": "<p>希望未來就讀設計或傳播相關科系。</p>",
                "evidence": "<p>校慶海報與班刊編輯的經驗。</p>",
            },
        ),
    )


def add_demo_data(school: School, *, today: datetime.date) -> None:
    with scope(school=school):
        students = list(
            Student.objects.filter(school=school, sealed_at__isnull=True)
            .select_related("school", "user", "school_class")
            .order_by("school_class__grade", "school_class__name", "seat", "pk")[:DEMO_STUDENTS]
        )
        for index, student in enumerate(students):
            if (
                CourseOutcome.objects.filter(school=school, student=student).exists()
                or Performance.objects.filter(school=school, student=student).exists()
            ):
                continue
            _outcomes(student, index, today)
            _performances(student, index, today)
