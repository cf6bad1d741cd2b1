"""Building a school export in the background: the folder of ``school_export``, zipped into private storage."""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone
from django_scopes import scopes_disabled
from django_tasks import task

from licheng.portability.models import ExportStatus, SchoolExportJob


@task()
def build_school_export(*, job_id: int) -> str:
    from licheng.portability.dump import export_school

    with scopes_disabled():
        job = SchoolExportJob.objects.select_related("school").get(pk=job_id)
        if job.status not in (ExportStatus.QUEUED, ExportStatus.FAILED):
            return job.file
        SchoolExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING)

        def progress(done: int, total: int) -> None:
            SchoolExportJob.objects.filter(pk=job.pk).update(progress_done=done, progress_total=total)

        code = job.school.code
        try:
            with tempfile.TemporaryDirectory(prefix="licheng-school-export-") as tmp:
                folder = Path(tmp) / f"school-{code}"
                export_school(code, folder, progress=progress)
                zip_path = Path(tmp) / f"school-{code}.zip"
                with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
                    for path in sorted(folder.rglob("*")):
                        if path.is_file():
                            archive.write(path, f"school-{code}/{path.relative_to(folder).as_posix()}")
                digest = hashlib.sha256()
                with open(zip_path, "rb") as f:
                    for chunk in iter(lambda: f.read(1024 * 1024), b""):
                        digest.update(chunk)
                with open(zip_path, "rb") as f:
                    name = default_storage.save(f"school-exports/{job.pk}/school-{code}.zip", File(f))
                size = os.path.getsize(zip_path)
        except Exception as error:
            SchoolExportJob.objects.filter(pk=job.pk).update(
                status=ExportStatus.FAILED, error=str(error)[:300], finished_at=timezone.now()
            )
            raise
        SchoolExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.DONE, file=name, size=size, sha256=digest.hexdigest(), finished_at=timezone.now()
        )
        return name
