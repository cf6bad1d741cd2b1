"""``manage.py demo_school [--students N] [--schools K] [--seed S]``: load fictional demo schools.

Deterministic (the same arguments give the same people, classes and courses) and idempotent (a
school whose demo code already exists keeps its people); then every demo school gains the year's
activity up to today (``licheng/core/demo/activity.py``), each part added once. The demo accounts
of the first school are ``admin``, ``registry``, ``teacher``, ``student`` …; further schools prefix them with their code
(``100002-admin``). All of them share the password ``Licheng-demo-2026``; the deployment operator
``operator`` is created once. Other generated accounts cannot log in.
"""

from __future__ import annotations

import datetime
import time
from functools import cache
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django_scopes import scopes_disabled

from licheng.core.demo.activity import add_activity
from licheng.core.demo.curriculum import DEMO_PASSWORD
from licheng.core.demo.loader import (
    LOADED_MODELS,
    analyze,
    ensure_operator,
    existing_school,
    load_plan,
    usernames_taken,
)
from licheng.core.demo.plan import FIRST_SCHOOL_CODE, MIN_STUDENTS, build_plan, school_code
from licheng.schools import rocdate

MAX_STUDENTS = 20_000  # student numbers keep four digits per entry year
MAX_SCHOOLS = 999_999 - FIRST_SCHOOL_CODE + 1


class Command(BaseCommand):
    help = "Load deterministic demo schools with fictional students, staff, classes, courses and parents."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--students", type=int, default=1000, help="students per school (default 1000)")
        parser.add_argument("--schools", type=int, default=1, help="number of demo schools (default 1)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument(
            "--academic-year",
            type=int,
            default=None,
            help="current academic year in ROC years (default: the one today falls in)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        students, schools, seed = options["students"], options["schools"], options["seed"]
        if not MIN_STUDENTS <= students <= MAX_STUDENTS:
            raise CommandError(f"--students must be between {MIN_STUDENTS} and {MAX_STUDENTS}.")
        if not 1 <= schools <= MAX_SCHOOLS:
            raise CommandError(f"--schools must be between 1 and {MAX_SCHOOLS}.")
        year = options["academic_year"] or rocdate.academic_year_of(datetime.date.today())
        if not 101 <= year <= 199:
            raise CommandError("--academic-year must be an ROC year between 101 and 199.")

        @cache
        def hashes() -> tuple[str, str]:
            # Hashed once: every demo account shares this hash; the rest share one unusable password.
            return make_password(DEMO_PASSWORD), make_password(None)

        started = time.perf_counter()
        totals: dict[str, int] = {}
        loaded = 0
        with scopes_disabled():
            for index in range(schools):
                code = school_code(index)
                school = existing_school(code)
                if school is not None:
                    self.stdout.write(f"School {code} ({school.name}) already exists; its people are kept.")
                    continue
                began = time.perf_counter()
                plan = build_plan(index=index, students=students, seed=seed, academic_year=year)
                clashes = usernames_taken(plan)
                if clashes:
                    raise CommandError(
                        f"Cannot load demo school {code}: these usernames already belong to other accounts: "
                        f"{', '.join(clashes[:10])}{' …' if len(clashes) > 10 else ''}. Rename or remove them first."
                    )
                demo_hash, unusable_hash = hashes()
                counts = load_plan(plan, demo_password_hash=demo_hash, unusable_password_hash=unusable_hash)
                loaded += 1
                for key, value in counts.items():
                    totals[key] = totals.get(key, 0) + value
                self.stdout.write(
                    f"School {code} {plan.name}: {counts['students']} students, {counts['classes']} classes, "
                    f"{counts['staff']} staff, {counts['courses']} courses, {counts['enrolments']} enrolments, "
                    f"{counts['parents']} parents ({time.perf_counter() - began:.1f} s)"
                )
            if loaded:
                analyze(LOADED_MODELS)
            today = timezone.localdate()
            for index in range(schools):
                school = existing_school(school_code(index))
                if school is not None:
                    self.stdout.write(f"School {school.code}: the year's activity up to {today.isoformat()}")
                    add_activity(school, today=today, report=self.stdout.write)
            if ensure_operator(lambda: hashes()[0], year):
                self.stdout.write("Created the deployment operator account “operator” (no school).")
        seconds = time.perf_counter() - started
        if loaded:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded {loaded} demo school(s) for academic year {year}: {totals['students']} students, "
                    f"{totals['staff']} staff, {totals['courses']} courses, {totals['enrolments']} enrolments, "
                    f"{totals['parents']} parents in {seconds:.1f} s."
                )
            )
        else:
            self.stdout.write("No new demo school loaded; existing data kept.")
