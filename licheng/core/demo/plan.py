"""The demo school as plain data, drawn from one seeded random generator.

``build_plan`` never touches the database, so the same arguments always give the same school
(``random.Random(seed + index)``; no global random state, no clock). ``loader.load_plan`` writes a
plan to the database.

National IDs are fictional: they pass the check-digit test but are drawn at random, so some may
coincide with real people's numbers; they identify no one.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import math
import random
from collections.abc import Iterable

from licheng.core.demo import names
from licheng.core.demo.curriculum import (
    CLASSES_PER_COUNSELLOR,
    ELECTIVE_GROUP_SIZE,
    ELECTIVE_SLOTS,
    EVENING_MIN_STUDENTS,
    EVENING_SHARE,
    FLEXIBLE_LEARNING,
    OFFICE_POSTS,
    REQUIRED_SUBJECTS,
    STUDENTS_PER_CLASS,
    STUDENTS_PER_TEACHER,
    TEACHING_SUBJECT,
    Elective,
)
from licheng.people import national_id
from licheng.people.roles import OFFICE_ROLES, Role
from licheng.schools import rocdate

FIRST_SCHOOL_CODE = 100001
DAY, EVENING = 1, 2
DIVISIONS = ((DAY, "日間部"), (EVENING, "進修部"))
MIN_STUDENTS = 10

# Area letters of the national ID, weighted roughly by population (A Taipei, F New Taipei …).
_ID_LETTERS = (
    ("A", 11),
    ("F", 17),
    ("H", 10),
    ("B", 8),
    ("L", 5),
    ("E", 6),
    ("S", 5),
    ("D", 4),
    ("R", 4),
    ("N", 5),
    ("P", 3),
    ("K", 2),
    ("J", 2),
    ("O", 2),
    ("Q", 2),
    ("I", 1),
    ("M", 2),
    ("T", 3),
    ("G", 2),
    ("U", 1),
    ("V", 1),
    ("C", 2),
    ("X", 1),
    ("W", 1),
)


@dataclasses.dataclass
class PersonPlan:
    """A staff member or the account behind one (parents and students have their own plans)."""

    username: str
    name: str
    sex: int
    title: str = ""
    subjects: str = ""
    roles: list[str] = dataclasses.field(default_factory=list)
    demo: bool = False


@dataclasses.dataclass
class ClassPlan:
    name: str
    grade: int
    division: int
    size: int
    homeroom: str | None = None
    counsellor: str | None = None


@dataclasses.dataclass
class StudentPlan:
    username: str
    student_number: str
    name: str
    sex: int
    birth_date: datetime.date
    national_id: str
    class_index: int
    seat: int
    entry_year: int
    division: int
    demo: bool = False
    # The central database's roster codes (學生資料名冊): Student fields of the same names.
    roster: dict[str, object] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class ParentPlan:
    username: str
    name: str
    student_index: int
    relation: str
    demo: bool = False


@dataclasses.dataclass
class CoursePlan:
    term: int
    course_code: str
    credits_per_term: str
    subject_name: str
    credits: int
    class_index: int | None
    group_name: str = ""
    teachers: list[str] = dataclasses.field(default_factory=list)
    students: list[int] = dataclasses.field(default_factory=list)
    teaching_key: tuple[
        str, ...
    ] = ()  # ("class", class index, pool) / ("group", name, pool) / ("homeroom", class index)


@dataclasses.dataclass
class ProxyPlan:
    principal: str
    proxy: str
    duty: str
    office: str = ""


@dataclasses.dataclass
class SchoolPlan:
    index: int
    code: str
    name: str
    academic_year: int
    staff: list[PersonPlan]
    classes: list[ClassPlan]
    students: list[StudentPlan]
    parents: list[ParentPlan]
    courses: list[CoursePlan]
    proxies: list[ProxyPlan]

    def student_digest(self) -> str:
        return student_digest((s.student_number, s.name, s.national_id) for s in self.students)


def student_digest(rows: Iterable[tuple[str, str, str]]) -> str:
    """A fingerprint of (student number, name, national ID) rows, in any order."""
    lines = sorted("|".join(row) for row in rows)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def school_code(index: int) -> str:
    return f"{FIRST_SCHOOL_CODE + index:06d}"


def account_prefix(index: int) -> str:
    """Demo accounts are plain (``admin``) in the first school and prefixed (``100002-admin``) after."""
    return "" if index == 0 else f"{school_code(index)}-"


def split_evenly(total: int, parts: int) -> list[int]:
    """``split_evenly(10, 3)`` → ``[4, 3, 3]``."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def course_code(*, entry_year: int, code: str, division: int, category: int, domain: int | str, subject: str) -> str:
    """A 23-character course code: entry year (1–3), school code (4–9), division (10), class type
    (11), programme 101 普通科 (12–14), course category (15), course type (16), domain (17), subject
    (18–19), version (20–23). Domain 9 with subject ``0D`` marks flexible-learning rows."""
    value = f"{entry_year:03d}{code}{division}1101{category}1{domain}{subject}01A1"
    assert len(value) == 23, value
    return value


def _national_id(rng: random.Random, sex: int, taken: set[str]) -> str:
    letters = [letter for letter, _ in _ID_LETTERS]
    weights = [weight for _, weight in _ID_LETTERS]
    while True:
        letter = rng.choices(letters, weights=weights)[0]
        number = national_id.with_check_digit(f"{letter}{sex}{rng.randrange(10_000_000):07d}")
        if number not in taken:
            taken.add(number)
            return number


def _birth_date(rng: random.Random, entry_year: int, *, evening: bool) -> datetime.date:
    """Entering grade 10 in August of AD year Y means being born between September Y-16 and August Y-15."""
    ad = entry_year + rocdate.ROC_OFFSET
    start = datetime.date(ad - 16, 9, 1)
    span = (datetime.date(ad - 15, 8, 31) - start).days + 1
    day = start + datetime.timedelta(days=rng.randrange(span))
    if evening and rng.random() < 0.3:
        day -= datetime.timedelta(days=rng.randrange(365, 3 * 365))
    return day


def _plan_classes(students: int) -> list[ClassPlan]:
    evening = round(students * EVENING_SHARE) if students >= EVENING_MIN_STUDENTS else 0
    classes: list[ClassPlan] = []
    for grade, size in zip((10, 11, 12), split_evenly(students - evening, 3), strict=True):
        count = max(1, round(size / STUDENTS_PER_CLASS))
        for number, class_size in enumerate(split_evenly(size, count), start=1):
            classes.append(ClassPlan(f"{grade - 9}{number:02d}", grade, DAY, class_size))
    for grade, size in zip((10, 11, 12), split_evenly(evening, 3), strict=True):
        if size:
            classes.append(ClassPlan(f"進{grade - 9}01", grade, EVENING, size))
    return classes


# Roster codes of the demo (illustrative codes in the central database's shapes, FORMATS.md §1).
GROUP_CODE = "21"  # 群別代碼
PROGRAMME_CODES = {DAY: "101", EVENING: "101"}  # 科班學程別代碼 (普通科)
CLASS_TYPES = {DAY: "1", EVENING: "2"}  # 班別
ADMISSION_ROUTES: tuple[tuple[str, int], ...] = (("1", 70), ("2", 12), ("3", 10), ("4", 5), ("9", 3))
# 入學方式 above: 免試, 特招, 直升, 技優, 其他
SPECIAL_STATUSES = ("1", "2", "3", "5", "7")  # 特殊身分別
INDIGENOUS = (
    ("01", "秀姑巒阿美語"),
    ("02", "賽考利克泰雅語"),
    ("03", "知本卑南語"),
    ("05", "東排灣語"),
    ("06", "布農語"),
)
EXPERIMENTAL_CLASS = "數理實驗班"


def _roster(rng: random.Random, school_class: ClassPlan, entry_year: int, seat: int) -> dict[str, object]:
    """A student's roster codes: most have only the group, programme, class type and admission route;
    a few a special status, the indigenous fields and a language certificate."""
    routes = [route for route, _weight in ADMISSION_ROUTES]
    weights = [weight for _route, weight in ADMISSION_ROUTES]
    roster: dict[str, object] = {
        "group_code": GROUP_CODE,
        "programme_code": PROGRAMME_CODES[school_class.division],
        "class_type": CLASS_TYPES[school_class.division],
        "admission_route": rng.choices(routes, weights=weights)[0],
    }
    if school_class.division == DAY and school_class.name.endswith("01") and school_class.grade > 10:
        roster["experimental_class"] = EXPERIMENTAL_CLASS
    draw = rng.random()
    if draw < 0.04:
        ethnicity, dialect = rng.choice(INDIGENOUS)
        roster["special_statuses"] = "1"  # 原住民
        roster["indigenous_ethnicity"] = ethnicity
        roster["indigenous_status"] = rng.choice(("1", "2"))  # 山地 / 平地
        if seat % 2 or draw < 0.02:
            exam_year = entry_year - rng.choice((1, 0))
            roster["indigenous_language_dialect"] = dialect
            roster["indigenous_language_exam_year"] = exam_year
            roster["indigenous_language_valid_until"] = datetime.date(exam_year + rocdate.ROC_OFFSET + 5, 12, 31)
    elif draw < 0.10:
        roster["special_statuses"] = ",".join(sorted(rng.sample(SPECIAL_STATUSES[1:], rng.choice((1, 1, 2)))))
    return roster


def _plan_students(
    rng: random.Random, code: str, prefix: str, year: int, classes: list[ClassPlan]
) -> list[StudentPlan]:
    # The roster codes draw from their own sequence so that names and IDs stay as they were.
    roster_rng = random.Random(f"roster-{code}")
    serials: dict[int, int] = {}
    taken: set[str] = set()
    students: list[StudentPlan] = []
    for class_index, school_class in enumerate(classes):
        entry_year = year - (school_class.grade - 10)
        for seat in range(1, school_class.size + 1):
            serials[entry_year] = serials.get(entry_year, 0) + 1
            number = f"{entry_year:03d}{serials[entry_year]:04d}"
            sex = rng.choice((1, 2))
            demo = not students  # the first student of class 101 is the demo student
            students.append(
                StudentPlan(
                    username=f"{prefix}student" if demo else f"{code}-s{number}",
                    student_number=number,
                    name=names.full_name(rng, sex, young=True),
                    sex=sex,
                    birth_date=_birth_date(rng, entry_year, evening=school_class.division == EVENING),
                    national_id=_national_id(rng, sex, taken),
                    class_index=class_index,
                    seat=seat,
                    entry_year=entry_year,
                    division=school_class.division,
                    demo=demo,
                    roster=_roster(roster_rng, school_class, entry_year, seat),
                )
            )
    return students


def _plan_courses(
    rng: random.Random, code: str, year: int, classes: list[ClassPlan], students: list[StudentPlan]
) -> list[CoursePlan]:
    by_class: dict[int, list[int]] = {}
    for index, student in enumerate(students):
        by_class.setdefault(student.class_index, []).append(index)
    # Each student picks one option per elective slot of their grade, for the whole year.
    groups: list[tuple[int, str, Elective, list[int]]] = []  # (grade, group name, elective, students)
    for slot in ELECTIVE_SLOTS:
        chosen: dict[str, list[int]] = {option.name: [] for option in slot.options}
        for index, student in enumerate(students):
            if student.division == DAY and classes[student.class_index].grade == slot.grade:
                chosen[rng.choice(slot.options).name].append(index)
        for option in slot.options:
            members = chosen[option.name]
            if not members:
                continue
            count = math.ceil(len(members) / ELECTIVE_GROUP_SIZE)
            start = 0
            for number, size in enumerate(split_evenly(len(members), count)):
                group = f"{option.name} {chr(ord('A') + number)}組"
                groups.append((slot.grade, group, option, members[start : start + size]))
                start += size

    courses: list[CoursePlan] = []
    for term in (1, 2):
        for class_index, school_class in enumerate(classes):
            entry_year = year - (school_class.grade - 10)
            members = by_class.get(class_index, [])
            for subject in REQUIRED_SUBJECTS:
                credits = subject.credits(school_class.grade, term)
                if credits == 0:
                    continue
                courses.append(
                    CoursePlan(
                        term=term,
                        course_code=course_code(
                            entry_year=entry_year,
                            code=code,
                            division=school_class.division,
                            category=1,
                            domain=subject.domain,
                            subject=subject.code,
                        ),
                        credits_per_term=subject.credits_per_term,
                        subject_name=subject.name,
                        credits=credits,
                        class_index=class_index,
                        students=list(members),
                        teaching_key=("class", str(class_index), TEACHING_SUBJECT[subject.name]),
                    )
                )
            courses.append(
                CoursePlan(
                    term=term,
                    course_code=course_code(
                        entry_year=entry_year,
                        code=code,
                        division=school_class.division,
                        category=0,
                        domain=9,
                        subject="0D",
                    ),
                    credits_per_term="000000",
                    subject_name=FLEXIBLE_LEARNING,
                    credits=0,
                    class_index=class_index,
                    students=list(members),
                    teaching_key=("homeroom", str(class_index)),
                )
            )
        for grade, group, option, members in groups:
            entry_year = year - (grade - 10)
            position = (grade - 10) * 2
            credits_per_term = "".join(str(option.credits) if i in (position, position + 1) else "0" for i in range(6))
            courses.append(
                CoursePlan(
                    term=term,
                    course_code=course_code(
                        entry_year=entry_year,
                        code=code,
                        division=DAY,
                        category=4,
                        domain=option.domain,
                        subject=option.code,
                    ),
                    credits_per_term=credits_per_term,
                    subject_name=option.name,
                    credits=option.credits,
                    class_index=None,
                    group_name=group,
                    students=list(members),
                    teaching_key=("group", group, option.teacher_subject),
                )
            )
    return courses


def _pool_sizes(hours: dict[str, int], total: int) -> dict[str, int]:
    """Share ``total`` teachers among subjects by teaching hours (largest remainder), at least one each."""
    subjects = list(hours)
    total = max(total, len(subjects))
    spare = total - len(subjects)
    weight = sum(hours.values()) or 1
    quotas = {s: spare * hours[s] / weight for s in subjects}
    sizes = {s: 1 + int(quotas[s]) for s in subjects}
    left = total - sum(sizes.values())
    for s in sorted(subjects, key=lambda s: (-(quotas[s] - int(quotas[s])), subjects.index(s)))[:left]:
        sizes[s] += 1
    return sizes


def _plan_teachers(
    rng: random.Random, code: str, prefix: str, students: int, courses: list[CoursePlan]
) -> tuple[list[PersonPlan], dict[tuple[str, ...], str]]:
    """Teachers per subject in proportion to the hours taught; each class keeps one teacher per
    subject for the year, each elective group one teacher. Returns the teachers and who teaches what."""
    hours: dict[str, int] = {}
    for required in REQUIRED_SUBJECTS:
        hours.setdefault(TEACHING_SUBJECT[required.name], 0)
    for course in courses:
        if course.teaching_key[0] != "homeroom":
            hours[course.teaching_key[2]] = hours.get(course.teaching_key[2], 0) + course.credits
    sizes = _pool_sizes(hours, round(students / STUDENTS_PER_TEACHER))
    teachers: list[PersonPlan] = []
    pools: dict[str, list[PersonPlan]] = {}
    demo_for = {"國文": "homeroom", "英文": "teacher"}  # the first teacher of these pools teaches 101
    for subject, size in sizes.items():
        for number in range(size):
            sex = rng.choice((1, 2))
            demo = demo_for.get(subject) if number == 0 else None
            teacher = PersonPlan(
                username=f"{prefix}{demo}" if demo else f"{code}-t{len(teachers) + 1:03d}",
                name=names.full_name(rng, sex, young=False),
                sex=sex,
                title=f"{subject}科教師",
                subjects=subject,
                roles=[Role.SUBJECT_TEACHER],
                demo=demo is not None,
            )
            teachers.append(teacher)
            pools.setdefault(subject, []).append(teacher)

    load = {t.username: 0 for t in teachers}
    order = {t.username: i for i, t in enumerate(teachers)}
    assigned: dict[tuple[str, ...], str] = {}
    for course in courses:
        if course.teaching_key[0] == "homeroom":
            continue
        key = course.teaching_key
        if key not in assigned:
            chosen = min(pools[key[2]], key=lambda t: (load[t.username], order[t.username]))
            assigned[key] = chosen.username
        load[assigned[key]] += course.credits
    return teachers, assigned


def _plan_homerooms_and_counsellors(
    rng: random.Random,
    prefix: str,
    classes: list[ClassPlan],
    teachers: list[PersonPlan],
    assigned: dict[tuple[str, ...], str],
) -> PersonPlan:
    by_username = {t.username: t for t in teachers}
    demo_homeroom, demo_teacher = f"{prefix}homeroom", f"{prefix}teacher"
    taken: set[str] = set()
    for class_index, school_class in enumerate(classes):
        if class_index == 0:
            chosen = demo_homeroom
        else:
            teaching = sorted(
                {u for key, u in assigned.items() if key[0] == "class" and key[1] == str(class_index)},
                key=lambda u: teachers.index(by_username[u]),
            )
            candidates = [u for u in teaching if u not in taken and u != demo_teacher]
            if not candidates:
                candidates = [t.username for t in teachers if t.username not in taken and t.username != demo_teacher]
            if not candidates:
                candidates = [t.username for t in teachers if t.username != demo_teacher]
            chosen = rng.choice(candidates)
        school_class.homeroom = chosen
        if chosen not in taken:
            taken.add(chosen)
            by_username[chosen].roles.append(Role.HOMEROOM_TEACHER)

    sex = rng.choice((1, 2))
    demo_counsellor = PersonPlan(
        username=f"{prefix}counsellor",
        name=names.full_name(rng, sex, young=False),
        sex=sex,
        title="課程諮詢教師",
        subjects="",
        roles=[Role.COURSE_COUNSELLOR],
        demo=True,
    )
    needed = math.ceil(len(classes) / CLASSES_PER_COUNSELLOR) - 1
    free = [t for t in teachers if not t.demo and t.username not in taken]
    busy = [t for t in teachers if not t.demo and t.username in taken]
    others = rng.sample(free, min(needed, len(free)))
    others += busy[: needed - len(others)]
    counsellors = [demo_counsellor, *others]
    for teacher in others:
        teacher.roles.append(Role.COURSE_COUNSELLOR)
        teacher.title += "兼課程諮詢教師"
    for class_index, school_class in enumerate(classes):
        school_class.counsellor = counsellors[min(class_index // CLASSES_PER_COUNSELLOR, len(counsellors) - 1)].username
    return demo_counsellor


def _plan_office(rng: random.Random, code: str, prefix: str) -> list[PersonPlan]:
    office: list[PersonPlan] = []
    for number, post in enumerate(OFFICE_POSTS, start=1):
        office.append(
            PersonPlan(
                username=f"{prefix}{post.demo}" if post.demo else f"{code}-o{number:02d}",
                name=names.full_name(rng, post.sex, young=False),
                sex=post.sex,
                title=post.title,
                roles=list(post.roles),
                demo=post.demo is not None,
            )
        )
    return office


def _plan_proxies(office: list[PersonPlan], teachers: list[PersonPlan]) -> list[ProxyPlan]:
    proxies: list[ProxyPlan] = []
    for role in OFFICE_ROLES:
        holders = [p for p in office if role in p.roles]
        principal = next((p for p in holders if p.demo), holders[0] if holders else None)
        if principal is None:
            continue
        # The deputy is the next holder after the principal (the clerk), else the one before (the director).
        after = holders[holders.index(principal) + 1 :]
        before = holders[: holders.index(principal)]
        deputy = next(iter(after + before[::-1]), None)
        if deputy is not None:
            proxies.append(ProxyPlan(principal.username, deputy.username, "office_entry", str(role)))
    pools: dict[str, list[PersonPlan]] = {}
    for teacher in teachers:
        pools.setdefault(teacher.subjects, []).append(teacher)
    for pool in pools.values():
        if len(pool) > 1:
            for i, teacher in enumerate(pool):
                proxies.append(ProxyPlan(teacher.username, pool[(i + 1) % len(pool)].username, "certify_course"))
    return proxies


def _plan_parents(rng: random.Random, code: str, prefix: str, students: list[StudentPlan]) -> list[ParentPlan]:
    parents: list[ParentPlan] = []
    for index, student in enumerate(students):
        if not (student.demo or rng.random() < 0.3):
            continue
        mother = rng.random() < 0.55
        parents.append(
            ParentPlan(
                username=f"{prefix}parent" if student.demo else f"{code}-p{student.student_number}",
                name=names.full_name(rng, 2, young=False)
                if mother
                else names.full_name(rng, 1, young=False, family=student.name[0]),
                student_index=index,
                relation="母" if mother else "父",
                demo=student.demo,
            )
        )
    return parents


def build_plan(*, index: int, students: int, seed: int, academic_year: int) -> SchoolPlan:
    """The ``index``-th demo school (0 → 100001) with ``students`` students in ``academic_year``."""
    if students < MIN_STUDENTS:
        raise ValueError(f"a demo school needs at least {MIN_STUDENTS} students")
    rng = random.Random(seed + index)
    code, prefix = school_code(index), account_prefix(index)
    office = _plan_office(rng, code, prefix)
    classes = _plan_classes(students)
    student_plans = _plan_students(rng, code, prefix, academic_year, classes)
    courses = _plan_courses(rng, code, academic_year, classes, student_plans)
    teachers, assigned = _plan_teachers(rng, code, prefix, students, courses)
    counsellor = _plan_homerooms_and_counsellors(rng, prefix, classes, teachers, assigned)
    for course in courses:
        if course.teaching_key[0] == "homeroom":
            homeroom = classes[int(course.teaching_key[1])].homeroom
            course.teachers = [homeroom] if homeroom else []
        else:
            course.teachers = [assigned[course.teaching_key]]
    for representative in ("國文", "英文", "數學", "物理", "歷史"):
        pool = [t for t in teachers if t.subjects == representative and not t.demo]
        if pool:
            pool[-1].roles.append(Role.WORKING_GROUP)
    return SchoolPlan(
        index=index,
        code=code,
        name=names.school_name(index),
        academic_year=academic_year,
        staff=[*office, *teachers, counsellor],
        classes=classes,
        students=student_plans,
        parents=_plan_parents(rng, code, prefix, student_plans),
        courses=courses,
        proxies=_plan_proxies(office, teachers),
    )
