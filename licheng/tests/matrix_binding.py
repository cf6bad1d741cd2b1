"""Permission-matrix rows for parent binding (親子綁定, ``licheng.people.binding``).

A student issues codes for themself, the registry (``people.manage_parents``) for any student of the
school; whoever issued may revoke. Any signed-in account of a school but a student's may redeem a
code; the parent's children pages answer only for their own links (404 otherwise).
"""

from __future__ import annotations

from licheng.tests.matrix_base import OK, PAGE_ANY, PAGE_REGISTRY_OBJ, STUDENT, Case, World, who

CODE = lambda w: {"pk": w.extra["parent_code"].pk}  # noqa: E731

CASES = [
    Case("people:my_parent_codes", who(404, anonymous=302, student=200)),
    Case("people:student_parent_codes", PAGE_REGISTRY_OBJ, kwargs=STUDENT),
    Case(
        "people:parent_code_revoke",
        who(404, anonymous=302, student=OK, registry=OK, school_admin=OK),
        kwargs=CODE,
        method="post",
    ),
    Case("parent_binding_redeem", who(200, anonymous=302, student=403)),
    Case("parent_children", PAGE_ANY),
    Case(
        "parent_child_switch",
        who(404, anonymous=302, parent=OK),
        method="post",
        data=lambda w: {"student": w.p.student.pk},
    ),
    Case(
        "parent_child_unbind",
        who(404, anonymous=302, parent=OK),
        kwargs=lambda w: {"pk": w.parent_link.pk},
        method="post",
    ),
]


def extend(world: World) -> None:
    from licheng.audit.services import Actor
    from licheng.people import binding

    world.extra["parent_code"], _plain = binding.code_issue(actor=Actor.system(), student=world.p.student)
