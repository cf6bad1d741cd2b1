"""Demo data for announcements and help requests: a few current notices from the offices and one
help request already answered. Idempotent: nothing is added when the school already has announcements."""

from __future__ import annotations

import datetime

from django_scopes import scope

from licheng.announcements.models import Announcement
from licheng.announcements.services import announcement_post, help_request_answer, help_request_create
from licheng.audit.services import Actor
from licheng.people.models import RoleGrant, User
from licheng.people.roles import Role
from licheng.schools.models import School


def _holder(school: School, *roles: str) -> User | None:
    for role in roles:
        grant = RoleGrant.objects.filter(school=school, role=role).select_related("user").order_by("pk").first()
        if grant is not None:
            return grant.user
    return None


def add_demo_data(school: School, *, today: datetime.date) -> None:
    with scope(school=school):
        if Announcement.objects.filter(school=school).exists():
            return
        poster = _holder(school, Role.REGISTRY, Role.SCHOOL_ADMIN)
        curriculum = _holder(school, Role.CURRICULUM, Role.SCHOOL_ADMIN)
        answerer = _holder(school, Role.LIBRARY_IT, Role.REGISTRY, Role.SCHOOL_ADMIN)
        student = _holder(school, Role.STUDENT)
        if poster is None or curriculum is None or answerer is None:
            return
        announcement_post(
            actor=Actor(user=curriculum),
            school=school,
            title="本學期課程學習成果上傳及教師認證期程",
            body=(
                "各位同學好：本學期課程學習成果上傳期限將至，請於期限內登入系統上傳，"
                "每件成果請附 100 字以內簡述。\n任課教師請於認證期限內完成認證，逾期將無法補認證。"
            ),
            publish_on=today - datetime.timedelta(days=3),
            expires_on=today + datetime.timedelta(days=30),
            roles=[Role.STUDENT, Role.SUBJECT_TEACHER],
        )
        announcement_post(
            actor=Actor(user=poster),
            school=school,
            title="高三學生請確認學習歷程檔案提交清單",
            body="高三同學請於勾選期限內確認要提交至中央資料庫的課程學習成果與多元表現，如有問題請洽註冊組。",
            publish_on=today - datetime.timedelta(days=1),
            expires_on=today + datetime.timedelta(days=14),
            grades=[12],
        )
        announcement_post(
            actor=Actor(user=poster),
            school=school,
            title="學習歷程檔案家長說明會",
            body="本校將於下週六上午九點於大禮堂舉辦學習歷程檔案家長說明會，歡迎家長踴躍參加。",
            publish_on=today,
            expires_on=today + datetime.timedelta(days=10),
            roles=[Role.PARENT],
        )
        if student is not None:
            request = help_request_create(
                actor=Actor(user=student),
                school=school,
                text="上傳 PDF 時一直顯示處理中，重新整理後檔案不見了。",
                page_url="/portfolio/",
            )
            help_request_answer(
                actor=Actor(user=answerer),
                help_request=request,
                answer="已協助確認，檔案超過 4MB 上限。請壓縮後重新上傳，如仍有問題請到圖書館資訊組。",
            )
