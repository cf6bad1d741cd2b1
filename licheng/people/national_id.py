"""Taiwan national ID (身分證統一編號) and resident-certificate (居留證) numbers.

Formats accepted, each with its check digit:
- national ID: a letter, 1 or 2 (sex), 8 digits — ``A123456789``;
- resident certificate since 2021: a letter, 8 or 9, 8 digits — ``A800000014``;
- resident certificate before 2021: two letters, 8 digits — ``AC01234567``.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

# The area letter's two-digit value (A=10 … Z=33, in the order the Ministry assigned them).
LETTER_VALUES = {letter: value for value, letter in enumerate("ABCDEFGHJKLMNPQRSTUVXYWZIO", start=10)}
_NEW_FORMAT = re.compile(r"^[A-Z][1289]\d{8}$")
_OLD_RESIDENT = re.compile(r"^[A-Z][A-D]\d{8}$")
_WEIGHTS = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)


class NationalIdError(ValueError):
    """A number that is not a valid ID; the message is in the user's language."""


def _checksum_ok(digits: list[int]) -> bool:
    return sum(d * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 10 == 0


def _digits(value: str) -> list[int]:
    area = LETTER_VALUES[value[0]]
    second = LETTER_VALUES[value[1]] % 10 if value[1].isalpha() else int(value[1])
    return [area // 10, area % 10, second, *(int(c) for c in value[2:])]


def normalise(value: str) -> str:
    return (value or "").strip().upper()


def validate(value: str) -> str:
    """Return the normalised number, or raise ``NationalIdError`` saying what is wrong."""
    number = normalise(value)
    if not (_NEW_FORMAT.match(number) or _OLD_RESIDENT.match(number)):
        raise NationalIdError(
            _("“%(value)s” is not an ID number: it should be a letter and 9 digits, like A123456789.")
            % {"value": value.strip() if value else ""}
        )
    if not _checksum_ok(_digits(number)):
        raise NationalIdError(_("“%(value)s” has a wrong check digit; please check the number.") % {"value": number})
    return number


def with_check_digit(first_nine: str) -> str:
    """Complete a 9-character prefix with its check digit (used to make fictional demo IDs)."""
    prefix = normalise(first_nine)
    digits = _digits(prefix + "0")[:-1]
    partial = sum(d * w for d, w in zip(digits, _WEIGHTS[:-1], strict=True))
    return prefix + str((10 - partial % 10) % 10)
