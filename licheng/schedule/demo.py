"""Demo data: this academic year's work schedule (作業期程) and each term's self-check list
(執行檢核表), dated around ``today`` the way seed 004's timetable runs a year.

Idempotent: a term that already has schedule entries (or checklist items) is left as it is.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from licheng.people.roles import Role
from licheng.schedule.models import ScheduleEntry
from licheng.schedule.windows import WORK_ITEMS
from licheng.schools.models import School, Term
from licheng.schools.selectors import current_term

D = datetime.timedelta


def _first_school_day(term: Term) -> datetime.date:
    if term.number == 1:
        return datetime.date(term.starts_on.year, 9, 1)
    return datetime.date(term.starts_on.year, 2, 16)


def _plan(term: Term, today: datetime.date) -> list[dict[str, object]]:
    """The term's windows: data entry at the start, uploads all term (open today when today is in
    the term), certification after uploads begin and ending two weeks after them, selection after,
    then submission and receipt confirmation (seed 004's October and March rounds)."""
    first = _first_school_day(term)
    upload_end = (
        max(term.ends_on + D(days=14), today + D(days=21)) if term.contains(today) else term.ends_on + D(days=14)
    )
    certification_end = upload_end + D(days=14)
    selection_end = certification_end + D(days=14)
    y = term.starts_on.year if term.number == 1 else term.ends_on.year
    if term.number == 1:
        submission = (datetime.date(y, 10, 1), datetime.date(y, 10, 21))
        receipt = (datetime.date(y, 10, 21), datetime.date(y, 10, 28))
    else:
        submission = (datetime.date(y, 3, 1), datetime.date(y, 3, 10))
        receipt = (datetime.date(y, 3, 11), datetime.date(y, 3, 18))
    rows: list[dict[str, object]] = [
        {
            "work_item": "entry_curriculum",
            "starts_on": term.starts_on,
            "ends_on": first + D(days=14),
            "note": "課程代碼匯入校務行政系統、任課教師配課",
        },
        {
            "work_item": "entry_registry",
            "starts_on": first,
            "ends_on": first + D(days=21),
            "note": "學生基本資料每學期確認",
        },
        {
            "work_item": "pre_check",
            "starts_on": first,
            "ends_on": first + D(days=15),
            "note": "「預檢_修課紀錄名冊」開課預檢",
        },
        {"work_item": "upload", "starts_on": first, "ends_on": upload_end, "note": "每學期至少上傳 1 件"},
        {
            "work_item": "certification",
            "starts_on": first + D(days=7),
            "ends_on": certification_end,
            "note": "任課教師認證；請假時由代理人認證",
        },
        {
            "work_item": "selection",
            "starts_on": certification_end + D(days=1),
            "ends_on": selection_end,
            "note": "課程學習成果至多 6 件、多元表現至多 10 件",
        },
        {
            "work_item": "submission",
            "starts_on": submission[0],
            "ends_on": submission[1],
            "note": "註冊組提交中央資料庫",
        },
        {
            "work_item": "receipt_confirmation",
            "starts_on": receipt[0],
            "ends_on": receipt[1],
            "note": "學生上網確認收訖明細，有誤請提報",
        },
        {
            "work_item": "entry_activities",
            "starts_on": term.ends_on - D(days=45),
            "ends_on": term.ends_on,
            "note": "校級、班級、社團幹部",
        },
        {
            "work_item": "entry_discipline",
            "starts_on": term.ends_on - D(days=45),
            "ends_on": term.ends_on,
            "note": "出缺席及獎懲資料",
        },
        {
            "work_item": "entry_guidance",
            "starts_on": first + D(days=30),
            "ends_on": term.ends_on,
            "note": "學群探索與生涯規劃紀錄",
        },
    ]
    if term.number == 2:
        # Grade 12 hands in its last term in two batches.
        rows += [
            {
                "work_item": "submission",
                "grade": 12,
                "batch": 1,
                "starts_on": datetime.date(y, 2, 11),
                "ends_on": datetime.date(y, 2, 28),
                "note": "高三第一梯次",
            },
            {
                "work_item": "submission",
                "grade": 12,
                "batch": 2,
                "starts_on": datetime.date(y, 6, 11),
                "ends_on": datetime.date(y, 6, 30),
                "note": "高三第二梯次",
            },
        ]
    for row in rows:
        row.setdefault("self_check_on", row["ends_on"])
    return rows


# Seed 004's planning and training rows, which no window covers.
_EXTRA_ITEMS = (
    ("planning", "校務會議通過修訂補充規定", Role.WORKING_GROUP, 40),
    ("planning", "補充規定上網公告", Role.REGISTRY, 45),
    ("training", "教師操作教育訓練及宣導", Role.RESEARCH, 20),
    ("training", "學生操作教育訓練", Role.LIBRARY_IT, 20),
    ("training", "學生、家長宣導", Role.GUIDANCE, 25),
)


@transaction.atomic
def add_demo_data(school: School, *, today: datetime.date) -> None:
    from licheng.progress.models import ChecklistItem, Section, Status
    from licheng.progress.services import _SECTION_OF

    term_now = current_term(school, today)
    if term_now is None:
        return
    terms = list(Term.objects.filter(school=school, academic_year=term_now.academic_year).order_by("number"))
    for term in terms:
        if not ScheduleEntry.objects.filter(term=term).exists():
            ScheduleEntry.objects.bulk_create(
                ScheduleEntry(
                    school=school,
                    term=term,
                    office=WORK_ITEMS[str(row["work_item"])].office,
                    published_at=timezone.now(),
                    **row,  # type: ignore[arg-type]
                )
                for row in _plan(term, today)
            )
        if ChecklistItem.objects.filter(term=term).exists():
            continue
        items = []
        for position, entry in enumerate(ScheduleEntry.objects.filter(term=term).order_by("starts_on", "pk"), start=1):
            title = str(WORK_ITEMS[entry.work_item].label)
            if entry.grade:
                title += f"（{entry.grade} 年級第 {entry.batch} 梯次）" if entry.batch else f"（{entry.grade} 年級）"
            due = entry.self_check_on or entry.ends_on
            items.append(
                ChecklistItem(
                    school=school,
                    term=term,
                    section=_SECTION_OF.get(entry.work_item, Section.ENTRY),
                    title=title,
                    work_item=entry.work_item,
                    schedule_entry=entry,
                    office=entry.office,
                    due_on=due,
                    status=Status.DONE if due < today else Status.OPEN,
                    position=position,
                )
            )
        for n, (section, title, office, days) in enumerate(_EXTRA_ITEMS, start=len(items) + 1):
            due = term.starts_on + D(days=days)
            items.append(
                ChecklistItem(
                    school=school,
                    term=term,
                    section=section,
                    title=title,
                    office=office,
                    due_on=due,
                    status=Status.DONE if due < today else Status.IN_PROGRESS,
                    note="已於工作小組會議報告" if due < today else "",
                    position=n,
                )
            )
        ChecklistItem.objects.bulk_create(items)
