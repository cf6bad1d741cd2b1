"""The provider's accounts and the claims each one carries. Tests import these constants."""

from __future__ import annotations

PASSWORD = "provider-password"
CLIENT_ID = "licheng-test"
CLIENT_SECRET = "licheng-test-secret"

# username → claims beyond ``sub``. ``None`` leaves a claim out.
PEOPLE: dict[str, dict[str, str | None]] = {
    "cloud-student": {
        "name": "陳小明",
        "school_code": "111111",
        "role": "student",
        "student_number": "S0001",
        "national_id": "A123456789",
    },
    "cloud-teacher": {"name": "李老師", "school_code": "111111", "role": "teacher"},
    "cloud-parent": {"name": "陳媽媽", "school_code": "111111", "role": "parent"},
    "cloud-stranger": {"name": "林大同", "school_code": "111111", "role": "student", "student_number": "S9999"},
    "cloud-noschool": {"name": "無校碼", "school_code": None, "role": "student", "student_number": "S0001"},
    "cloud-outsider": {"name": "乙校生", "school_code": "222222", "role": "student", "student_number": "S0001"},
}
