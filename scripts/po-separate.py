#!/usr/bin/env python3
"""Put a blank line between catalogue entries that a union merge of two branches glued together
(a ``msgstr`` directly followed by the next entry's comment, ``msgctxt`` or ``msgid``)."""

import sys
from pathlib import Path

for path in map(Path, sys.argv[1:]):
    lines = path.read_text(encoding="utf-8").split("\n")
    out: list[str] = []
    in_msgstr = False
    for line in lines:
        starts_entry = line.startswith(("#", "msgctxt ", "msgid "))
        if starts_entry and in_msgstr and out and out[-1] != "":
            out.append("")
        if line.startswith("msgstr"):
            in_msgstr = True
        elif starts_entry or line == "":
            in_msgstr = False
        out.append(line)
    text = "\n".join(out)
    if text != path.read_text(encoding="utf-8"):
        path.write_text(text, encoding="utf-8")
        print(f"separated entries in {path}")
