from __future__ import annotations

import datetime

from licheng.announcements.demo import add_demo_data as announcements_demo
from licheng.announcements.models import Announcement, HelpRequest, HelpStatus
from licheng.testing.personas import Personas
from licheng.workinggroup.demo import add_demo_data as workinggroup_demo
from licheng.workinggroup.models import Meeting, Member, Training


def test_demo_data_is_idempotent(personas: Personas) -> None:
    today = personas.term.starts_on + datetime.timedelta(days=40)
    for _ in range(2):
        workinggroup_demo(personas.school, today=today)
        announcements_demo(personas.school, today=today)
    assert Member.objects.filter(school=personas.school).count() == 13
    assert Meeting.objects.filter(school=personas.school).count() == 1
    assert Training.objects.filter(school=personas.school).count() == 1
    assert Announcement.objects.filter(school=personas.school).count() == 3
    assert HelpRequest.objects.get(school=personas.school).status == HelpStatus.ANSWERED
