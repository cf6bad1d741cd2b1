"""What a demo school teaches and who works there: the common required subjects of the 108
curriculum (普通型高中) with plausible credits per term, a few elective slots, and the offices.

Credits per term are six digits, one per term of the cohort (grade 10 term 1 … grade 12 term 2).
"""

from __future__ import annotations

import dataclasses

from licheng.people.roles import Role


@dataclasses.dataclass(frozen=True)
class Subject:
    name: str
    domain: int  # 1–8; course codes put it at character 17 (9 is kept for flexible-learning rows)
    code: str  # two digits, characters 18–19 of the course code
    credits_per_term: str  # six digits: grade 10 term 1 … grade 12 term 2

    def credits(self, grade: int, term: int) -> int:
        from licheng.records.cells import term_credits

        return term_credits(self.credits_per_term[(grade - 10) * 2 + (term - 1)])


# Common required subjects (部定必修), taught to whole classes.
REQUIRED_SUBJECTS: tuple[Subject, ...] = (
    Subject("國文", 1, "01", "444422"),
    Subject("英文", 1, "02", "443322"),
    Subject("數學", 2, "03", "444400"),
    Subject("歷史", 3, "04", "222000"),
    Subject("地理", 3, "05", "222000"),
    Subject("公民與社會", 3, "06", "222000"),
    Subject("物理", 4, "07", "200000"),
    Subject("化學", 4, "08", "020000"),
    Subject("生物", 4, "09", "200000"),
    Subject("地球科學", 4, "10", "020000"),
    Subject("自然科學探究與實作", 4, "11", "002200"),
    Subject("音樂", 5, "12", "110000"),
    Subject("美術", 5, "13", "110000"),
    Subject("藝術生活", 5, "14", "001100"),
    Subject("資訊科技", 6, "15", "110000"),
    Subject("生活科技", 6, "16", "110000"),
    Subject("健康與護理", 7, "17", "110000"),
    Subject("體育", 7, "18", "222222"),
    Subject("生涯規劃", 7, "19", "001100"),
    Subject("家政", 7, "20", "001100"),
    Subject("全民國防教育", 8, "21", "110000"),
)

# The teacher pool that teaches a subject (electives are taught by the base subject's teachers).
TEACHING_SUBJECT = {s.name: s.name for s in REQUIRED_SUBJECTS} | {
    "自然科學探究與實作": "物理",
    "藝術生活": "美術",
    "生涯規劃": "健康與護理",
    "家政": "健康與護理",
}

FLEXIBLE_LEARNING = "彈性學習時間"


@dataclasses.dataclass(frozen=True)
class Elective:
    name: str
    teacher_subject: str
    domain: int
    code: str
    credits: int


@dataclasses.dataclass(frozen=True)
class ElectiveSlot:
    """Students of a grade each take one of the options; groups are formed across classes."""

    name: str
    grade: int
    options: tuple[Elective, ...]


ELECTIVE_SLOTS: tuple[ElectiveSlot, ...] = (
    ElectiveSlot(
        "自然選修",
        11,
        (
            Elective("選修物理—力學一", "物理", 4, "51", 2),
            Elective("選修化學—物質與能量", "化學", 4, "52", 2),
            Elective("選修生物—細胞與遺傳", "生物", 4, "53", 2),
        ),
    ),
    ElectiveSlot(
        "社會選修",
        11,
        (
            Elective("探究與實作：歷史學探究", "歷史", 3, "54", 2),
            Elective("探究與實作：地理與人文社會科學研究", "地理", 3, "55", 2),
            Elective("探究與實作：公共議題與社會探究", "公民與社會", 3, "56", 2),
        ),
    ),
    ElectiveSlot(
        "數學選修",
        12,
        (
            Elective("數學甲", "數學", 2, "57", 4),
            Elective("數學乙", "數學", 2, "58", 4),
        ),
    ),
    ElectiveSlot(
        "語文選修",
        12,
        (
            Elective("英文閱讀與寫作", "英文", 1, "59", 2),
            Elective("國學常識", "國文", 1, "60", 2),
            Elective("第二外國語文—日語", "英文", 1, "61", 2),
        ),
    ),
    ElectiveSlot(
        "跨領域選修",
        12,
        (
            Elective("選修物理—電磁現象", "物理", 4, "62", 3),
            Elective("選修化學—有機化學", "化學", 4, "63", 3),
            Elective("選修地理—社會環境議題", "地理", 3, "64", 3),
            Elective("選修公民與社會—民主政治與法律", "公民與社會", 3, "65", 3),
        ),
    ),
)
ELECTIVE_GROUP_SIZE = 40
STUDENTS_PER_CLASS = 35
STUDENTS_PER_TEACHER = 12
CLASSES_PER_COUNSELLOR = 3
EVENING_SHARE = 0.06  # share of students in the continuing-education division (進修部)
EVENING_MIN_STUDENTS = 300  # smaller demo schools have no evening classes


@dataclasses.dataclass(frozen=True)
class Post:
    """A member of office staff: the demo account (if any), title and roles."""

    demo: str | None
    title: str
    roles: tuple[str, ...]
    sex: int


# Office staff of every demo school. The first post of each office is its head (the demo account).
OFFICE_POSTS: tuple[Post, ...] = (
    Post(None, "校長", (Role.WORKING_GROUP,), 1),
    Post("admin", "資訊系統管理員", (Role.SCHOOL_ADMIN,), 1),
    Post("workgroup", "學習歷程工作小組執行秘書", (Role.WORKING_GROUP,), 2),
    Post(None, "教務主任", (Role.WORKING_GROUP, Role.CURRICULUM), 1),
    Post(None, "學務主任", (Role.WORKING_GROUP, Role.ACTIVITIES, Role.DISCIPLINE), 1),
    Post("registry", "註冊組長", (Role.REGISTRY,), 2),
    Post(None, "註冊組幹事", (Role.REGISTRY,), 2),
    Post("curriculum", "教學組長", (Role.CURRICULUM,), 1),
    Post(None, "教學組幹事", (Role.CURRICULUM,), 2),
    Post("research", "實研組長", (Role.RESEARCH,), 2),
    Post("activities", "訓育組長", (Role.ACTIVITIES,), 1),
    Post(None, "訓育組幹事", (Role.ACTIVITIES,), 2),
    Post("discipline", "生輔組長", (Role.DISCIPLINE,), 1),
    Post(None, "生輔組幹事", (Role.DISCIPLINE,), 1),
    Post("guidance", "輔導主任", (Role.GUIDANCE,), 2),
    Post(None, "專任輔導教師", (Role.GUIDANCE,), 2),
    Post("internship", "實習處主任", (Role.INTERNSHIP,), 1),
    Post("evening", "進修部主任", (Role.CONTINUING_EDUCATION,), 1),
    Post(None, "進修部教務組長", (Role.CONTINUING_EDUCATION,), 2),
    Post("libit", "圖資組長", (Role.LIBRARY_IT,), 1),
    Post(None, "圖資組幹事", (Role.LIBRARY_IT,), 2),
)

# The demo accounts that are people in classes and courses rather than office posts.
CLASSROOM_DEMO_ACCOUNTS = ("teacher", "homeroom", "counsellor", "student", "parent")
DEMO_ACCOUNTS = tuple(p.demo for p in OFFICE_POSTS if p.demo) + CLASSROOM_DEMO_ACCOUNTS
DEMO_PASSWORD = "Licheng-demo-2026"  # noqa: S105 — published in the README for the demo school only
OPERATOR_USERNAME = "operator"
