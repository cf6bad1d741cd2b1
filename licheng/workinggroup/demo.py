"""Demo data for the working group (工作小組): its members (a composition like seed 004's), one
meeting with agenda, minutes and decisions, one briefing for parents. Idempotent: nothing is added
when the school already has members."""

from __future__ import annotations

import datetime

from django_scopes import scope

from licheng.audit.services import Actor
from licheng.core.errors import ServiceError
from licheng.people.models import RoleGrant
from licheng.people.roles import Role
from licheng.schools.models import School
from licheng.workinggroup.models import Member
from licheng.workinggroup.services import meeting_record, member_add, training_record

MEMBERS = [
    ("校長", "convener", "綜理學習歷程檔案相關業務"),
    ("教務主任", "deputy", "督導課程學習成果上傳與認證"),
    ("註冊組長", "secretary", "學生資料、成績與提交作業"),
    ("學務主任", "member", "幹部經歷、出缺勤與獎懲資料"),
    ("輔導主任", "member", "生涯輔導與期中家長通知"),
    ("實研組長", "member", "課程計畫與教師研習"),
    ("設備組長", "member", "系統帳號與問題回報"),
    ("高一導師代表", "member", "班級學生提醒"),
    ("高二導師代表", "member", "班級學生提醒"),
    ("高三導師代表", "member", "班級學生提醒"),
    ("國文科教師代表", "member", "認證標準研議"),
    ("數學科教師代表", "member", "認證標準研議"),
    ("家長會代表", "member", "家長意見"),
]
NAMES = [
    "陳志明",
    "林美惠",
    "張雅婷",
    "王建宏",
    "李淑芬",
    "黃俊傑",
    "吳佩珊",
    "劉冠宇",
    "蔡宜君",
    "楊家豪",
    "許雅雯",
    "鄭文彬",
    "謝麗華",
]


def add_demo_data(school: School, *, today: datetime.date) -> None:
    with scope(school=school):
        if Member.objects.filter(school=school).exists():
            return
        grant = (
            RoleGrant.objects.filter(school=school, role__in=[Role.WORKING_GROUP, Role.SCHOOL_ADMIN])
            .select_related("user")
            .order_by("role", "pk")
            .first()
        )
        if grant is None:
            return
        actor = Actor(user=grant.user)
        joined = today - datetime.timedelta(days=60)
        for (position, group_role, duties), name in zip(MEMBERS, NAMES, strict=True):
            member_add(
                actor=actor,
                school=school,
                name=name,
                position=position,
                group_role=group_role,
                duties=duties,
                joined_on=joined,
            )
        try:
            meeting_record(
                actor=actor,
                school=school,
                held_on=today - datetime.timedelta(days=20),
                title="本學期第一次學習歷程工作小組會議",
                place="第一會議室",
                attendance=12,
                agenda="一、本學期作業期程\n二、教師認證流程說明\n三、期中檢核及家長通知",
                minutes="教務主任報告本學期上傳與認證期程，註冊組長說明提交作業時程，與會委員無異議。",
                decisions="1. 通過本學期作業期程。\n2. 期中檢核後由輔導室寄送家長通知。",
            )
            training_record(
                actor=actor,
                school=school,
                kind="briefing",
                audience="parents",
                held_on=today - datetime.timedelta(days=10),
                title="高一新生家長學習歷程檔案說明會",
                attendance_count=186,
                note="於大禮堂舉行",
            )
        except ServiceError:
            return  # no term contains the date: members only
