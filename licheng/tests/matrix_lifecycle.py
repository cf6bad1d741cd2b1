"""Permission-matrix rows for student status changes (學籍異動), transfer packages, sealing and retention
(``licheng.lifecycle``).

The registry (``lifecycle.manage_status``, ``lifecycle.view_retention``) and the school admin record
changes, make and import packages and see the retention page; only the school admin places and releases
legal holds (``lifecycle.manage_holds``). Files brought by a transfer answer whoever sees their student.
"""

from __future__ import annotations

from licheng.tests.matrix_base import OK, PAGE_REGISTRY, PAGE_REGISTRY_OBJ, POST_REGISTRY_OBJ, STUDENT, Case, World, who

HOLDS_OBJ = who(403, anonymous=302, school_admin=OK, outsider=404)
SEES_STUDENT = who(200, anonymous=302, other_teacher=404, outsider=404)

CASES = [
    Case("lifecycle:index", PAGE_REGISTRY),
    Case("lifecycle:student", PAGE_REGISTRY_OBJ, kwargs=STUDENT),
    Case(
        "lifecycle:change",
        POST_REGISTRY_OBJ,
        kwargs=lambda w: {"pk": w.p.student.pk, "kind": "suspend"},
        method="post",
        data=lambda w: {"suspend-effective_on": "114.09.01"},
    ),
    Case("lifecycle:package_request", POST_REGISTRY_OBJ, kwargs=STUDENT, method="post"),
    Case("lifecycle:correct", POST_REGISTRY_OBJ, kwargs=STUDENT, method="post", data=lambda w: {"reason": "誤植"}),
    Case("lifecycle:graduate_grade", PAGE_REGISTRY),
    Case(
        "lifecycle:graduate_grade",
        who(403, anonymous=302, registry=OK, school_admin=OK, outsider=OK),
        method="post",
        data=lambda w: {"grade": "12", "effective_on": "115.06.15"},
    ),
    Case("lifecycle:hold_place", HOLDS_OBJ, kwargs=STUDENT, method="post", data=lambda w: {"reason": "訴訟中"}),
    Case("lifecycle:package_download", PAGE_REGISTRY_OBJ, kwargs=lambda w: {"pk": w.extra["lifecycle_package"].pk}),
    # The package's password is shown once, to those who may download it.
    Case(
        "lifecycle:package_password",
        who(403, anonymous=302, registry=200, school_admin=200, outsider=404),
        kwargs=lambda w: {"pk": w.extra["lifecycle_package"].pk},
        method="post",
    ),
    Case("lifecycle:transfer_in", PAGE_REGISTRY),
    Case("lifecycle:transferred_file", SEES_STUDENT, kwargs=lambda w: {"pk": w.extra["lifecycle_file"].pk}),
    Case("lifecycle:retention", PAGE_REGISTRY),
    Case("lifecycle:retention_preview", PAGE_REGISTRY),
    Case("lifecycle:hold_release", HOLDS_OBJ, kwargs=lambda w: {"pk": w.extra["lifecycle_hold"].pk}, method="post"),
]


def extend(world: World) -> None:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from licheng.files.models import StoredFile
    from licheng.lifecycle.models import (
        LegalHold,
        PackageState,
        TransferIn,
        TransferPackage,
        TransferredFile,
        TransferredRecord,
    )
    from licheng.people import crypto

    p = world.p
    name = default_storage.save("transfers/matrix/transfer.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18))
    world.extra["lifecycle_package"] = TransferPackage.objects.create(
        school=p.school,
        student=p.student,
        state=PackageState.READY,
        file_name="transfer-111111-matrix.zip",
        storage_name=name,
        size=22,
        password_cipher=crypto.encrypt("ABCD-EFGH-JKLM-NPQR-STUV"),
    )
    blob = default_storage.save("matrix/lifecycle.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    stored = StoredFile.objects.create(
        school=p.school,
        sha256="0" * 64,
        size=15,
        content_type="application/pdf",
        kind="document",
        original_name="成果.pdf",
        storage_name=blob,
        uploaded_by=p.registry,
    )
    transfer = TransferIn.objects.create(
        school=p.school,
        student=p.student,
        origin_school_code="333333",
        origin_school_name="丙高中",
        origin_student_number="1130001",
        package_sha256="0" * 64,
        package_name="transfer.zip",
        format_version=1,
    )
    record = TransferredRecord.objects.create(
        school=p.school, transfer=transfer, student=p.student, kind="course_outcome", academic_year=113, title="國文"
    )
    world.extra["lifecycle_file"] = TransferredFile.objects.create(school=p.school, record=record, stored_file=stored)
    world.extra["lifecycle_hold"] = LegalHold.objects.create(
        school=p.school, student=p.student, reason="訴訟中", placed_by=p.school_admin
    )
