"""The credentials part of a student's portfolio export (``licheng.portfolio.export``): under
``credentials/`` each unrevoked credential (``.jwt``) with a QR code of its verify link (``-qr.png``),
the school's key set (``jwks.json``) and ``verify.html``, a page that checks the signatures and a
file's SHA-256 in the browser without a network (revocation needs the online /verify/ page)."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.template.loader import render_to_string
from django.urls import reverse

from licheng.credentials import keys, qr, selectors
from licheng.credentials.views import file_stem
from licheng.people.models import Student

Write = Callable[[str, bytes], None]


def write_credentials(student: Student, write: Write) -> int:
    """Write the student's credentials through ``write(path, data)``; returns how many."""
    credentials = [c for c in selectors.credentials_of_student(student.pk, student.school) if c.revoked_at is None]
    if not credentials:
        return 0
    school = student.school
    key_set = keys.jwks(school)
    rows = []
    for credential in credentials:
        stem = file_stem(credential)
        link = qr.verify_link(credential)
        write(f"credentials/{stem}.jwt", credential.token.encode())
        write(f"credentials/{stem}-qr.png", qr.qr_png(link))
        outcome = credential.version.outcome
        rows.append(
            {
                "file": f"{stem}.jwt",
                "qr": f"{stem}-qr.png",
                "course": outcome.course.subject_name,
                "term": outcome.term.label,
                "version": credential.version.number,
                "token": credential.token,
                "link": link,
            }
        )
    write("credentials/jwks.json", json.dumps(key_set, indent=2).encode())
    page = render_to_string(
        "credentials/offline_verify.html",
        {
            "school": school,
            "rows": rows,
            "data": {"jwks": key_set, "credentials": [{"file": r["file"], "token": r["token"]} for r in rows]},
            "jwks_url": keys.jwks_url(school),
            "verify_url": keys.site_url() + reverse("verify"),
        },
    )
    write("credentials/verify.html", page.encode())
    return len(credentials)
