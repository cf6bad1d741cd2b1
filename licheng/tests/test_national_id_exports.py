"""A crawl of every page, API answer and download as the working group: national IDs masked only
(issue 13, finding 3).

The working group has no ``people.view_national_id``. It used to see masked IDs on pages and in the
API but download every student's full ID in the submission rosters and the pre-check roster
export. Every GET route of the permission matrix is fetched as a working-group member; every
answer (text, JSON, XLSX and ZIP members unpacked) must not contain a student's full ID. The
files that must carry full IDs (the rosters and the package for the central database, the
pre-check roster) answer 403 to the working group and download for the registry.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from licheng.testing.personas import Personas
from licheng.tests.test_permission_matrix import CASES, build_world

GET_CASES = [c for c in CASES if c.method == "get"]
FULL_ID_FILES = {"submissions:roster", "submissions:package", "records:precheck_roster_export"}


def _texts(content: bytes) -> list[str]:
    """The answer as text, with every member of a ZIP (XLSX, the package) unpacked as well."""
    texts = [content.decode("utf-8", errors="replace")]
    if content[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                for info in archive.infolist():
                    texts.extend(_texts(archive.read(info)))
        except zipfile.BadZipFile:
            pass
    return texts


def _body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


@pytest.fixture
def working_group(personas: Personas) -> Any:
    from licheng.testing.factories import make_staff

    return make_staff(personas.school, "working_group", username="workgroup", name="工作小組")


def _real_roster(world: Any) -> None:
    """The matrix's roster is a placeholder; give it the content a build writes: the student's ID."""
    from licheng.submissions.sample import store_bytes

    p = world.p
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/sharedStrings.xml", f"<sst><si><t>{p.student.national_id}</t></si></sst>")
    roster = world.extra["submission"].rosters.get()
    roster.stored_file = store_bytes(p.school, p.registry, "roster.xlsx", buffer.getvalue(), "application/zip")
    roster.save()


def test_every_export_shows_the_working_group_masked_ids_only(personas: Personas, working_group: Any) -> None:
    world = build_world(personas)
    _real_roster(world)
    full_id = personas.student.national_id
    client = Client()
    client.force_login(working_group)
    seen, leaks = 0, []
    for case in GET_CASES:
        response = client.get(reverse(case.name, kwargs=case.kwargs(world)), data=case.data(world) if case.data else {})
        if response.status_code != 200:
            continue
        seen += 1
        if any(full_id in text for text in _texts(_body(response))):
            leaks.append(case.name)
    assert seen > 100  # the crawl reached the working group's pages, not only refusals
    assert leaks == [], leaks
    for name in FULL_ID_FILES:
        case = next(c for c in GET_CASES if c.name == name)
        assert client.get(reverse(name, kwargs=case.kwargs(world))).status_code == 403, name


def test_the_registry_downloads_the_files_that_carry_full_ids(personas: Personas) -> None:
    world = build_world(personas)
    _real_roster(world)
    client = Client()
    client.force_login(personas.registry)
    roster = client.get(reverse("submissions:roster", kwargs={"pk": world.extra["submission"].pk, "code": "1"}))
    assert roster.status_code == 200
    assert any(personas.student.national_id in text for text in _texts(_body(roster)))
    term = personas.term
    export = client.get(reverse("records:precheck_roster_export"), {"term": term.pk})
    assert export.status_code in (200, 422)


def test_the_submission_page_says_who_may_download(personas: Personas, working_group: Any) -> None:
    world = build_world(personas)
    url = reverse("submissions:detail", kwargs={"pk": world.extra["submission"].pk})
    client = Client()
    client.force_login(working_group)
    page = client.get(url).content.decode()
    assert reverse("submissions:package", kwargs={"pk": world.extra["submission"].pk}) not in page
    assert "完整身分證" in page
    client.force_login(personas.registry)
    page = client.get(url).content.decode()
    assert reverse("submissions:package", kwargs={"pk": world.extra["submission"].pk}) in page
