"""A small reader for gettext catalogues, enough to check that every message is translated."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path


@dataclasses.dataclass
class Entry:
    msgid: str
    msgstrs: list[str]
    fuzzy: bool
    context: str = ""


def read_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    fields: dict[str, str] = {}
    flags = ""
    current: str | None = None

    def flush() -> None:
        nonlocal fields, flags, current
        if "msgid" in fields:
            msgstrs = [value for key, value in sorted(fields.items()) if key.startswith("msgstr")]
            entries.append(Entry(fields["msgid"], msgstrs, "fuzzy" in flags, fields.get("msgctxt", "")))
        fields, flags, current = {}, "", None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#,"):
            flags += line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if current is not None:
                fields[current] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            current = key
            fields[key] = ast.literal_eval(value)
    flush()
    return [entry for entry in entries if entry.msgid]  # the header has an empty msgid


def untranslated(path: Path) -> list[str]:
    return [entry.msgid for entry in read_po(path) if entry.fuzzy or not all(text.strip() for text in entry.msgstrs)]
