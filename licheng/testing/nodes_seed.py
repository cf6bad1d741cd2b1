"""Seed the database of the two-node test (licheng/tests/test_nodes.py), run in its own process
against that database: ``python -m licheng.testing.nodes_seed`` empties it (it is a copy of the
test database), then makes the permission tests' personas with every window of the term open and
room for many uploads. Prints the ids the test needs as one line of JSON."""

from __future__ import annotations

import datetime
import json
import os


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "licheng.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from licheng.schools.models import SchoolRules
    from licheng.testing.personas import PASSWORD, build_personas

    call_command("flush", interactive=False, verbosity=0)
    with scopes_disabled():
        p = build_personas()
        today = timezone.localdate()
        for key in ("upload", "certification", "selection"):
            setattr(p.term, f"{key}_opens_on", today - datetime.timedelta(days=1))
            setattr(p.term, f"{key}_closes_on", today + datetime.timedelta(days=10))
        p.term.save()
        room = {"course_outcomes_per_term": 500, "course_outcomes_per_year": 500}
        SchoolRules.objects.update_or_create(school=p.school, academic_year=None, defaults=room)
    print(
        json.dumps(
            {
                "password": PASSWORD,
                "student": p.student_user.username,
                "student_pk": p.student.pk,
                "student_name": p.student.name,
                "teacher": p.subject_teacher.username,
                "other_teacher": p.other_teacher.username,
                "course_pk": p.course.pk,
            }
        )
    )


if __name__ == "__main__":
    main()
