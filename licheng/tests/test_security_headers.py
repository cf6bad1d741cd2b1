"""Headers every page and API answer carries (issue 13, findings 7 and 8).

A crawl of every GET route of the permission matrix, as the first persona that may see it:

- an authenticated answer is never stored by a browser or a shared cache (``private, no-store``;
  served files may say ``private, no-cache`` so that a preview can be revalidated);
- every HTML page has a strict Content-Security-Policy: scripts only from this site or with the
  request's nonce, no inline script, no inline event handler, no inline style attribute.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, resolve, reverse

from licheng.files.upload import _routes_by_pattern
from licheng.testing.personas import Personas
from licheng.tests.test_permission_matrix import CASES, Case, build_world

GET_CASES = [
    case
    for case in CASES
    if case.method == "get" and any(status == 200 for persona, status in case.expect.items() if persona != "anonymous")
]
# A script without src, other than a JSON data block (never executed).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc=\"([^\"]*)\"", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
MULTIPART_FORM = re.compile(r"<form\b[^>]*multipart/form-data[^>]*>", re.IGNORECASE)
FORM_ACTION = re.compile(r'\baction="([^"]*)"')


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in policy.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


def _get(case: Case, personas: Personas) -> Any:
    world = build_world(personas)
    users = personas.by_name()
    persona = next(p for p, status in case.expect.items() if status == 200 and p != "anonymous")
    client = Client()
    client.force_login(users[persona])
    return client.get(reverse(case.name, kwargs=case.kwargs(world)), data=case.data(world) if case.data else {})


@pytest.mark.parametrize("case", GET_CASES, ids=[case.name for case in GET_CASES])
def test_every_authenticated_answer_is_private_and_every_page_has_a_strict_policy(
    case: Case, personas: Personas
) -> None:
    response = _get(case, personas)
    assert response.status_code == 200
    cache = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert "private" in cache and cache & {"no-store", "no-cache"}, f"{case.name}: Cache-Control {cache}"
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    policy = _directives(response["Content-Security-Policy"])
    scripts = policy["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    nonce = next(s for s in scripts if s.startswith("'nonce-"))[len("'nonce-") : -1]
    body = response.content.decode()
    assert not INLINE_SCRIPT.findall(body), f"{case.name}: inline script"
    assert not EVENT_HANDLER.findall(body), f"{case.name}: inline event handler"
    assert not STYLE_ATTRIBUTE.findall(body), f"{case.name}: inline style attribute"
    assert nonce
    for source in SCRIPT_SRC.findall(body):
        assert source.startswith("/static/"), f"{case.name}: script from elsewhere: {source}"
    # Every form that uploads files posts to a route that declared its limit (issue 13, finding 4).
    for form in MULTIPART_FORM.findall(body):
        action = FORM_ACTION.search(form)
        target = (action.group(1) if action and action.group(1) else response.request["PATH_INFO"]).split("?")[0]
        match = resolve(target)
        assert match.route in _routes_by_pattern(get_resolver()), f"{case.name}: {target} takes files undeclared"


def test_api_answers_are_private_and_not_stored(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.registry)
    response = client.get("/api/v1/people/students")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_each_page_gets_its_own_nonce(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.registry)
    first, second = (client.get(reverse("home"))["Content-Security-Policy"] for _ in range(2))
    assert first != second


def test_report_only_mode_sends_the_policy_without_enforcing_it(personas: Personas, settings: Any) -> None:
    settings.CSP_REPORT_ONLY = True
    client = Client()
    response = client.get(reverse("login"))
    assert "Content-Security-Policy" not in response
    policy = _directives(response["Content-Security-Policy-Report-Only"])
    assert policy["report-uri"] == [reverse("csp_report")]


def test_a_violation_report_is_logged_and_answered_with_no_content(caplog: Any) -> None:
    report = b'{"csp-report": {"document-uri": "https://x/", "violated-directive": "script-src-elem"}}'
    client = Client(enforce_csrf_checks=True)
    with caplog.at_level("WARNING", logger="licheng.csp"):
        response = client.post(reverse("csp_report"), report, content_type="application/csp-report")
    assert response.status_code == 204
    assert "script-src-elem" in caplog.text
    # A body far over the limit is not read whole.
    response = client.post(reverse("csp_report"), b"x" * 100_000, content_type="application/csp-report")
    assert response.status_code == 413
