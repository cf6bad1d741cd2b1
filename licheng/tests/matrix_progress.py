"""Permission-matrix rows for self-check (自我檢核) checklists and progress dashboards.

Offices, the working group and the school admin look; offices tick their own items; the registry,
curriculum section, working group and school admin make the list. Teachers, students and parents
have no access, except the homeroom teacher's report on their own class.
"""

from __future__ import annotations

import datetime

from licheng.tests.matrix_base import OK, Case, World, who

TERM = lambda w: {"term_pk": w.p.term.pk}  # noqa: E731
ITEM = lambda w: {"pk": w.extra["checklist_item"].pk}  # noqa: E731

VIEW = who(403, anonymous=302, registry=200, school_admin=200, outsider=200)
VIEW_OBJ = who(403, anonymous=302, registry=200, school_admin=200, outsider=404)
POST_OBJ = who(403, anonymous=302, registry=OK, school_admin=OK, outsider=404)

CASES: list[Case] = [
    Case("progress:dashboard", VIEW),
    Case("progress:dashboard_export", VIEW_OBJ, kwargs=TERM),
    Case("progress:uncertified_export", VIEW_OBJ, kwargs=TERM),
    # the homeroom teacher's report on their own class
    Case("progress:my_class_uncertified", who(403, anonymous=302, homeroom_teacher=200)),
    Case(
        "progress:my_class_uncertified_export",
        who(403, anonymous=302, homeroom_teacher=200, outsider=404),
        kwargs=TERM,
    ),
    Case("progress:checklist", VIEW),
    Case("progress:checklist_print", VIEW_OBJ, kwargs=TERM),
    Case("progress:checklist_export", VIEW_OBJ, kwargs=TERM),
    Case("progress:checklist_generate", POST_OBJ, kwargs=TERM, method="post"),
    Case(
        "progress:checklist_item_create",
        POST_OBJ,
        kwargs=TERM,
        method="post",
        data=lambda w: {
            "section": "planning",
            "title": "補充規定上網公告",
            "office": "registry",
            "due_on": "2025-10-01",
        },
    ),
    Case(
        "progress:checklist_item_tick",
        POST_OBJ,
        kwargs=ITEM,
        method="post",
        data=lambda w: {"status": "done", "note": "已公告"},
    ),
    Case("progress:checklist_item_delete", POST_OBJ, kwargs=ITEM, method="post"),
    Case("api-v1:progress_checklist", who(403, anonymous=401, registry=200, school_admin=200, outsider=200)),
]


def extend(world: World) -> None:
    """Add the objects the routes above point at to ``world.extra``."""
    from licheng.progress.models import ChecklistItem

    p = world.p
    world.extra["checklist_item"] = ChecklistItem.objects.create(
        school=p.school, term=p.term, title="校務系統資料同步", office="registry", due_on=datetime.date(2025, 10, 1)
    )
