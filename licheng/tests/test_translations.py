"""Traditional Chinese is the default language: every message in the code must have a translation.

The first test reads the committed catalogues. The second extracts the messages from the code
afresh (with gettext's xgettext, which `make test` installs) into a scratch copy of each app and
checks that the committed catalogue translates every one, so a new string without a translation
fails the build instead of showing English to a student.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from licheng.testing.po import read_po, untranslated

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(ROOT.glob("licheng/*/locale/zh_Hant/LC_MESSAGES/django.po"))
MARKERS = ("gettext", "{% translate", "{% blocktranslate")


def _has_user_text(app: Path) -> bool:
    files = [*app.rglob("*.py"), *app.rglob("*.html")]
    return any(
        "tests" not in path.parts and any(marker in path.read_text(encoding="utf-8") for marker in MARKERS)
        for path in files
    )


APPS_WITH_TEXT = sorted(
    path.name
    for path in (ROOT / "licheng").iterdir()
    if (path / "__init__.py").exists() and path.name not in {"tests", "testing"} and _has_user_text(path)
)


def test_every_app_with_user_text_has_a_catalogue() -> None:
    with_catalogue = {path.parts[-5] for path in CATALOGUES}
    assert set(APPS_WITH_TEXT) <= with_catalogue


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: p.parts[-5])
def test_catalogue_translates_every_entry(catalogue: Path) -> None:
    assert untranslated(catalogue) == []


@pytest.mark.skipif(
    shutil.which("xgettext") is None and os.environ.get("CI") != "true", reason="gettext is not installed"
)
@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: p.parts[-5])
def test_every_message_in_the_code_is_in_the_catalogue(catalogue: Path, tmp_path: Path) -> None:
    app_dir = catalogue.parents[3]
    scratch = tmp_path / app_dir.name
    shutil.copytree(app_dir, scratch, ignore=shutil.ignore_patterns("tests", "__pycache__", "*.mo"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "licheng.settings", "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-P", "-m", "django", "makemessages", "-l", "zh_Hant", "-v", "0"],
        cwd=scratch,
        env=env,
        check=True,
    )
    committed = {(entry.context, entry.msgid) for entry in read_po(catalogue)}
    extracted = read_po(scratch / "locale/zh_Hant/LC_MESSAGES/django.po")
    missing = [entry.msgid for entry in extracted if (entry.context, entry.msgid) not in committed]
    assert missing == [], f"run `make messages` and translate these in {catalogue.relative_to(ROOT)}"


def test_the_same_message_reads_the_same_in_every_app() -> None:
    """Django merges the apps' catalogues (the first app wins), so one message translated two ways
    would show whichever app happens to come first. Different meanings need a context instead
    (``pgettext("person", "name")``)."""
    translations: dict[tuple[str, str], dict[tuple[str, ...], list[str]]] = {}
    for catalogue in CATALOGUES:
        for entry in read_po(catalogue):
            key = (entry.context, entry.msgid)
            translations.setdefault(key, {}).setdefault(tuple(entry.msgstrs), []).append(catalogue.parts[-5])
    clashes = {key: found for key, found in translations.items() if len(found) > 1}
    assert clashes == {}
