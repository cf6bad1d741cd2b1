"""Irreversible steps ask first and can be undone while the data are still at school: graduation,
leaving and transfer out show what they seal and wait for a confirmation; a mistaken change is
undone by the registry with a reason; a whole grade graduates in one confirmed step."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from licheng.audit.models import AuditEntry
from licheng.lifecycle.models import PackageState, StatusChange, TransferPackage
from licheng.people.models import Student
from licheng.testing.clients import client_in
from licheng.testing.factories import SchoolClassFactory, StudentFactory
from licheng.testing.personas import Personas

pytestmark = pytest.mark.django_db


def post_change(p: Personas, kind: str, confirmed: bool = False, **fields: str) -> Any:
    data = {f"{kind}-{key}": value for key, value in fields.items()}
    if confirmed:
        data["confirmed"] = "1"
    return client_in("en", p.registry).post(reverse("lifecycle:change", args=[p.student.pk, kind]), data, follow=True)


def test_graduation_shows_what_it_seals_and_warns_for_a_grade_10_student(personas: Personas) -> None:
    p = personas
    assert p.student.school_class is not None and p.student.school_class.grade == 10
    response = post_change(p, "graduate", effective_on="115.06.15", note="畢業")
    page = response.content.decode()
    assert response.status_code == 200
    assert "What will be sealed" in page and "is in grade 10, not grade 12." in page
    assert 'name="graduate-effective_on" value="115.06.15"' in page and 'name="confirmed" value="1"' in page
    p.student.refresh_from_db()
    assert p.student.status == "enrolled" and p.student.sealed_at is None
    assert not StatusChange.objects.exists()

    post_change(p, "graduate", confirmed=True, effective_on="115.06.15", note="畢業")
    p.student.refresh_from_db()
    assert p.student.status == "graduated" and p.student.sealed_at is not None


@pytest.mark.parametrize("kind", ["leave", "transfer_out"])
def test_leaving_and_transfer_out_ask_before_they_seal(personas: Personas, kind: str) -> None:
    p = personas
    page = post_change(p, kind, effective_on="115.03.01").content.decode()
    assert "What will be sealed" in page
    assert "is in grade" not in page  # the grade warning is for graduation only
    p.student.refresh_from_db()
    assert p.student.sealed_at is None and not TransferPackage.objects.exists()


def test_a_failed_form_stays_open_with_what_was_typed_and_says_which_form(personas: Personas) -> None:
    p = personas
    response = post_change(p, "suspend", effective_on="115.02.30", note="家庭因素")
    page = response.content.decode()
    assert response.status_code == 400
    assert "“Suspension (休學)” was not recorded." in page
    assert "115.02 has no day 30." in page
    assert 'value="115.02.30"' in page and 'value="家庭因素"' in page
    assert page.count("<details open>") == 1
    assert "<details open><summary>Suspension (休學)</summary>" in page
    assert not StatusChange.objects.exists()


def test_the_registry_undoes_a_mistaken_graduation_with_a_reason(personas: Personas) -> None:
    p = personas
    post_change(p, "graduate", confirmed=True, effective_on="115.06.15")
    client = client_in("en", p.registry)
    url = reverse("lifecycle:correct", args=[p.student.pk])
    page = client.get(reverse("lifecycle:student", args=[p.student.pk])).content.decode()
    assert "Undo the latest change, “Graduation (畢業)” of 115.06.15" in page

    response = client.post(url, {"reason": ""})
    assert response.status_code == 400 and "Say why the status change was a mistake." in response.content.decode()
    p.student.refresh_from_db()
    assert p.student.status == "graduated"

    response = client.post(url, {"reason": "選錯學生"}, follow=True)
    assert "was undone" in response.content.decode()
    p.student.refresh_from_db()
    assert p.student.status == "enrolled" and p.student.sealed_at is None
    assert not StatusChange.objects.exists()
    entry = AuditEntry.objects.get(action="lifecycle.correct")
    assert entry.changes["reason"] == "選錯學生" and entry.changes["kind"] == "graduate"
    # Nothing left to undo.
    assert client.post(url, {"reason": "再一次"}).status_code == 400


def test_a_transfer_out_is_undone_until_its_package_is_downloaded(personas: Personas, settings: Any) -> None:
    p = personas
    post_change(p, "transfer_out", confirmed=True, effective_on="115.01.20")
    p.student.refresh_from_db()
    assert p.student.status == "transferred_out"
    client = client_in("en", p.registry)
    url = reverse("lifecycle:correct", args=[p.student.pk])
    # Not downloaded yet: undone, and the queued package is withdrawn.
    assert client.post(url, {"reason": "轉學未成"}).status_code == 302
    p.student.refresh_from_db()
    assert p.student.status == "enrolled" and p.student.sealed_at is None
    assert not TransferPackage.objects.exists()

    post_change(p, "transfer_out", confirmed=True, effective_on="115.01.21")
    package = TransferPackage.objects.get()
    name = default_storage.save("transfers/test/transfer.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18))
    TransferPackage.objects.filter(pk=package.pk).update(state=PackageState.READY, storage_name=name, size=22)
    assert client.get(reverse("lifecycle:package_download", args=[package.pk])).status_code == 200
    package.refresh_from_db()
    assert package.downloaded_at is not None
    response = client.post(url, {"reason": "轉學未成"})
    assert response.status_code == 400 and "the data have left the school" in response.content.decode()
    p.student.refresh_from_db()
    assert p.student.status == "transferred_out" and p.student.sealed_at is not None


def test_a_whole_grade_graduates_in_one_confirmed_step(personas: Personas) -> None:
    p = personas
    senior = SchoolClassFactory.create(school=p.school, academic_year=p.school_class.academic_year, grade=12)
    seniors = StudentFactory.create_batch(2, school_class=senior)
    away = StudentFactory.create(school_class=senior, status="suspended")
    client = client_in("en", p.registry)
    url = reverse("lifecycle:graduate_grade")
    assert "Graduate a whole grade" in client.get(reverse("lifecycle:index")).content.decode()

    page = client.post(url, {"grade": "12", "effective_on": "115.06.15"}).content.decode()
    assert "2 students will graduate" in page and seniors[0].name in page and away.name not in page
    assert not StatusChange.objects.exists()

    # The count confirmed must still be true.
    data = {"grade": "12", "effective_on": "115.06.15", "confirmed": "1"}
    response = client.post(url, {**data, "expected": "3"})
    assert response.status_code == 400 and "2 students can graduate now, not the 3 you confirmed" in (
        response.content.decode()
    )
    assert not StatusChange.objects.exists()

    response = client.post(url, {**data, "expected": "2"}, follow=True)
    assert "2 students graduated" in response.content.decode()
    statuses = dict(Student.objects.filter(school_class=senior).values_list("pk", "status"))
    assert statuses == {seniors[0].pk: "graduated", seniors[1].pk: "graduated", away.pk: "suspended"}
    p.student.refresh_from_db()
    assert p.student.status == "enrolled"  # grade 10 untouched
