"""Typed shortcuts over the shared factories (factory_boy calls are untyped for mypy)."""

from __future__ import annotations

from typing import Any, cast

from licheng.people.models import Student
from licheng.schools.models import SchoolClass
from licheng.testing.factories import SchoolClassFactory, StudentFactory


def new_student(**kwargs: Any) -> Student:
    return cast(Student, StudentFactory(**kwargs))


def new_class(**kwargs: Any) -> SchoolClass:
    return cast(SchoolClass, SchoolClassFactory(**kwargs))
