from __future__ import annotations

import io
import time
import zipfile
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from licheng.accounts.models import AccountImport
from licheng.audit.models import AuditEntry
from licheng.people.models import ParentLink, RoleGrant, StaffMember, Student, User
from licheng.testing.factories import SchoolClassFactory, fictional_national_id
from licheng.testing.personas import Personas

UPLOAD = "/accounts/import/"
STUDENT_HEADER = ["學號", "姓名", "身分證號", "出生日期", "性別", "班級", "座號", "入學年度", "電子郵件"]


def student_row(number: str, seat: int, *, name: str = "林同學", nid: str | None = None, cls: str = "101") -> list[Any]:
    return [number, name, nid or fictional_national_id(2), "098.03.15", "女", cls, seat, "", ""]


def xlsx(rows: list[list[Any]], header: list[str] = STUDENT_HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[Any]], header: list[str] = STUDENT_HEADER, encoding: str = "utf-8-sig") -> bytes:
    lines = [",".join(header)] + [",".join(str(c) for c in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def upload(client: Client, content: bytes, name: str = "students.xlsx", kind: str = "students") -> Any:
    return client.post(UPLOAD, {"kind": kind, "file": SimpleUploadedFile(name, content)})


@pytest.fixture
def registry_client(client: Client, personas: Personas) -> Client:
    personas.student.seat = 1
    personas.student.save()
    client.force_login(personas.registry)
    return client


def latest() -> AccountImport:
    return AccountImport.objects.latest("id")


def apply(client: Client, account_import: AccountImport, capture: Any) -> Any:
    with capture(execute=True):
        return client.post(reverse("account_import_apply", args=[account_import.pk]))


def test_good_file_imports_every_row_with_roles_and_initial_passwords(
    registry_client: Client, personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    rows = [student_row(f"11490{n:02d}", n + 2, name=f"學生{n}") for n in range(3)]
    response = upload(registry_client, xlsx(rows))
    account_import = latest()
    assert response.status_code == 302 and response["Location"] == reverse(
        "account_import_detail", args=[account_import.pk]
    )
    page = registry_client.get(response["Location"]).content.decode()
    assert "學生0" in page and "Z2*" not in page.replace("Z2*", "")  # national IDs are masked
    assert reverse("account_import_apply", args=[account_import.pk]) in page
    assert not Student.objects.filter(student_number="1149000").exists()  # preview writes nothing

    response = apply(registry_client, account_import, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == reverse(
        "account_import_passwords", args=[account_import.pk]
    )
    students = Student.objects.filter(student_number__startswith="11490").select_related("user", "school_class")
    assert students.count() == 3
    student = students.get(student_number="1149000")
    assert student.school_class == personas.school_class and student.seat == 2 and student.sex == 2
    assert student.entry_year == 114 and student.birth_date.isoformat() == "2009-03-15"
    assert student.user.username == "111111-1149000" and student.user.must_change_password
    assert RoleGrant.objects.filter(user=student.user, role="student", school=personas.school).exists()
    account_import.refresh_from_db()
    assert account_import.status == "applied" and account_import.passwords_set_at is not None
    assert "sealed" not in account_import.rows[0]  # national IDs no longer kept on the import
    assert AuditEntry.objects.filter(action="account_import.apply", object_id=str(account_import.pk)).count() == 1

    # The printed list has each initial password, and it logs the student in (to the change page).
    page = registry_client.get(response["Location"]).content.decode()
    assert "@media print" in page and "111111-1149000" in page
    passwords = {
        line[4]: line[5]
        for line in _xlsx_rows(
            registry_client.get(reverse("account_import_passwords_xlsx", args=[account_import.pk])).content
        )[1:]
    }
    password = passwords["111111-1149000"]
    assert len(password) == 10 and password in page
    response = Client().post("/login/", {"username": "111111-1149000", "password": password})
    assert response.status_code == 302 and response["Location"].startswith(reverse("password_change"))

    # Uploading the same file again: every row is now a duplicate of what exists.
    upload(registry_client, xlsx(rows))
    again = latest()
    messages = " ".join(e["message"] for e in again.errors)
    assert {e["line"] for e in again.errors} == {2, 3, 4}
    assert "已存在" in messages
    assert (
        reverse("account_import_apply", args=[again.pk])
        not in registry_client.get(reverse("account_import_detail", args=[again.pk])).content.decode()
    )


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def test_one_bad_row_imports_nothing_and_names_row_and_column(
    registry_client: Client, personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    other_class = SchoolClassFactory(school=personas.other_school, name="999")
    rows = [
        student_row("1149100", 3),
        student_row("1149101", 4, nid="A123456788"),  # wrong check digit
        [*student_row("1149102", 5)[:3], "112.02.30", "女", "101", 5, "", ""],  # no 30 February
        student_row("1149103", 6, cls=str(other_class.name)),  # another school's class
        student_row("1149104", 1),  # seat taken by the personas' student
        student_row("1149100", 7),  # duplicate student number within the file
        ['=HYPERLINK("x")', "惡意", fictional_national_id(), "098.01.01", "男", "101", 8, "", ""],
    ]
    upload(registry_client, xlsx(rows))
    account_import = latest()
    errors = {(e["line"], e["column"]) for e in account_import.errors}
    assert {(3, "national_id"), (4, "birth_date"), (5, "class_name"), (6, "seat"), (7, "student_number")} <= errors
    assert (2, "student_number") in errors and (8, "student_number") in errors
    page = registry_client.get(reverse("account_import_detail", args=[account_import.pk])).content.decode()
    assert "檢查碼" in page and "999" in page and "公式" in page
    # Applying anyway (a forged POST) changes nothing.
    response = apply(registry_client, account_import, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert not Student.objects.filter(student_number__startswith="11491").exists()
    assert not User.objects.filter(username__startswith="111111-11491").exists()
    account_import.refresh_from_db()
    assert account_import.status == "checked"


def test_apply_checks_again_at_apply_time(
    registry_client: Client, personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    upload(registry_client, xlsx([student_row("1149200", 3), student_row("1149201", 4)]))
    account_import = latest()
    assert account_import.errors == []
    personas.student.seat = 4  # someone took seat 4 meanwhile
    personas.student.save()
    response = apply(registry_client, account_import, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert not Student.objects.filter(student_number__startswith="11492").exists()
    account_import.refresh_from_db()
    assert account_import.status == "checked" and account_import.errors[0]["line"] == 3


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp950"])
def test_csv_in_utf8_bom_and_big5(
    registry_client: Client, encoding: str, django_capture_on_commit_callbacks: Any
) -> None:
    response = upload(
        registry_client, csv_bytes([student_row("1149300", 3, name="許功蓋")], encoding=encoding), "s.csv"
    )
    assert response.status_code == 302
    account_import = latest()
    assert account_import.errors == [] and account_import.rows[0]["values"]["name"] == "許功蓋"
    apply(registry_client, account_import, django_capture_on_commit_callbacks)
    assert Student.objects.get(student_number="1149300").name == "許功蓋"


def test_english_headers_are_accepted(registry_client: Client) -> None:
    header = ["Student number", "Name", "National ID", "Birth date", "Sex", "Class", "Seat"]
    upload(registry_client, csv_bytes([student_row("1149400", 3)[:7]], header=header), "s.csv")
    assert latest().errors == []


def test_missing_or_unknown_columns_are_refused_with_their_names(registry_client: Client) -> None:
    response = upload(registry_client, csv_bytes([["1149500", "甲"]], header=["學號", "姓名"]), "s.csv")
    assert response.status_code == 200 and "身分證號" in response.content.decode()
    response = upload(
        registry_client, csv_bytes([[*student_row("1", 3), "x"]], header=[*STUDENT_HEADER, "備註"]), "s.csv"
    )
    assert "備註" in response.content.decode()
    assert not AccountImport.objects.exists()


def test_renamed_text_file_zip_bomb_and_oversized_files_are_refused(registry_client: Client) -> None:
    response = upload(registry_client, b"just some text, not a workbook\n", "students.xlsx")
    assert response.status_code == 200 and "不是真正的 Excel" in response.content.decode()

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 60_000_000)
    assert len(bomb.getvalue()) < 200_000
    response = upload(registry_client, bomb.getvalue(), "students.xlsx")
    assert response.status_code == 200 and "解壓縮後太大" in response.content.decode()

    not_xlsx_zip = io.BytesIO()
    with zipfile.ZipFile(not_xlsx_zip, "w") as archive:
        archive.writestr("readme.txt", "hello")
    response = upload(registry_client, not_xlsx_zip.getvalue(), "students.xlsx")
    assert "不是真正的 Excel" in response.content.decode()

    response = upload(registry_client, b"a" * 5_000_001, "students.csv")
    assert response.status_code == 200 and "5 MB" in response.content.decode()

    response = upload(registry_client, "學號,姓名\n".encode("utf-16"), "students.csv")
    assert response.status_code == 200
    assert not AccountImport.objects.exists()


def test_staff_import_with_roles(
    registry_client: Client, personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    header = ["帳號", "姓名", "電子郵件", "職稱", "角色"]
    rows = [
        ["t.wang", "王老師", "wang@example.edu.tw", "國文科教師", "任課教師、導師"],
        ["t.lee", "李組長", "", "註冊組長", "registry, subject_teacher"],
        ["t.bad", "某人", "not-an-email", "", "校長室"],
        ["teacher", "重複", "", "", "教師"],
    ]
    upload(registry_client, xlsx(rows, header), kind="staff")
    account_import = latest()
    assert {(e["line"], e["column"]) for e in account_import.errors} == {(4, "email"), (4, "roles"), (5, "username")}
    upload(registry_client, xlsx(rows[:2], header), kind="staff")
    account_import = latest()
    assert account_import.errors == []
    apply(registry_client, account_import, django_capture_on_commit_callbacks)
    wang = User.objects.get(username="t.wang")
    assert set(RoleGrant.objects.filter(user=wang).values_list("role", flat=True)) == {
        "subject_teacher",
        "homeroom_teacher",
    }
    assert StaffMember.objects.get(user=wang).title == "國文科教師"
    assert set(RoleGrant.objects.filter(user__username="t.lee").values_list("role", flat=True)) == {
        "registry",
        "subject_teacher",
    }


def test_parent_import_links_children(
    registry_client: Client, personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    header = ["帳號", "姓名", "電子郵件", "學生學號", "關係"]
    number = personas.student.student_number
    rows = [["p.chen", "陳媽媽", "", number, "母"], ["p.nobody", "某家長", "", "0000000", "父"]]
    upload(registry_client, xlsx(rows, header), kind="parents")
    assert {(e["line"], e["column"]) for e in latest().errors} == {(3, "student_number")}
    upload(registry_client, xlsx(rows[:1], header), kind="parents")
    apply(registry_client, latest(), django_capture_on_commit_callbacks)
    link = ParentLink.objects.get(parent__username="p.chen")
    assert link.student == personas.student and link.relation == "母"
    assert RoleGrant.objects.filter(user__username="p.chen", role="parent").exists()


def test_password_export_neutralises_formula_cells(
    registry_client: Client, personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    header = ["帳號", "姓名", "電子郵件", "職稱", "角色"]
    upload(registry_client, xlsx([["t.x", "某老師", "", "=cmd|' /C calc'!A0", "教師"]], header), kind="staff")
    account_import = latest()
    assert account_import.errors and account_import.errors[0]["column"] == "title"  # flagged on import
    # Even if such text reaches an export, it is written as text, not as a formula.
    from licheng.core.spreadsheets import workbook_bytes

    cells = _xlsx_rows(workbook_bytes("x", ["a"], [["=cmd|' /C calc'!A0"], ["@SUM(1)"], ["normal"]]))
    assert cells[1][0] == "'=cmd|' /C calc'!A0" and cells[2][0] == "'@SUM(1)" and cells[3][0] == "normal"


def test_templates_download_as_real_workbooks(registry_client: Client) -> None:
    for kind, first in (("students", "學號"), ("staff", "帳號"), ("parents", "帳號")):
        response = registry_client.get(reverse("account_import_template", args=[kind]))
        assert response.status_code == 200
        assert _xlsx_rows(response.content)[0][0] == first
    assert registry_client.get("/accounts/import/template/other.xlsx").status_code == 404


def test_teacher_gets_403_and_outsider_gets_404(client: Client, personas: Personas) -> None:
    client.force_login(personas.registry)
    upload(client, xlsx([student_row("1149600", 3)]))
    account_import = latest()
    teacher = Client()
    teacher.force_login(personas.subject_teacher)
    assert teacher.get(UPLOAD).status_code == 403
    assert teacher.get(reverse("account_import_detail", args=[account_import.pk])).status_code == 403
    outsider = Client()
    outsider.force_login(personas.outsider)
    assert outsider.get(UPLOAD).status_code == 200
    for name in ("account_import_detail", "account_import_passwords", "account_import_passwords_xlsx"):
        assert outsider.get(reverse(name, args=[account_import.pk])).status_code == 404
    assert outsider.post(reverse("account_import_apply", args=[account_import.pk])).status_code == 404
    assert Client().get(UPLOAD).status_code == 302  # anonymous → log in


def test_import_pages_query_count_does_not_grow_with_rows(
    registry_client: Client, personas: Personas, django_assert_max_num_queries: Any
) -> None:
    for count in (1, 20):
        upload(registry_client, xlsx([student_row(f"1147{count:02d}{n:02d}", n + 2) for n in range(count)]))
    # session, user with school, roles, permissions, current academic year, academic-year choices,
    # imports (with uploader and year)
    with django_assert_max_num_queries(7):
        assert registry_client.get(UPLOAD).status_code == 200
    detail = reverse("account_import_detail", args=[latest().pk])
    # session, user with school, roles, permissions, the import
    with django_assert_max_num_queries(5):
        assert registry_client.get(detail).status_code == 200


@pytest.mark.parametrize("count", [200])
def test_large_import_is_quick_to_check_and_apply(
    registry_client: Client, personas: Personas, django_capture_on_commit_callbacks: Any, count: int
) -> None:
    classes = [SchoolClassFactory(school=personas.school, name=f"1{n:02d}X") for n in range(count // 40 + 1)]
    rows = [student_row(f"2{n:06d}", n % 40 + 1, cls=str(classes[n // 40].name)) for n in range(count)]
    started = time.monotonic()
    upload(registry_client, xlsx(rows))
    account_import = latest()
    assert account_import.errors == []
    apply(registry_client, account_import, django_capture_on_commit_callbacks)
    assert Student.objects.filter(student_number__startswith="2").count() == count
    assert time.monotonic() - started < 30


def test_initial_passwords_use_light_argon2_upgraded_at_first_login(
    registry_client: Client, personas: Personas, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from licheng import settings as real_settings

    settings.PASSWORD_HASHERS = real_settings.PASSWORD_HASHERS
    upload(registry_client, xlsx([student_row("1149700", 3)]))
    account_import = latest()
    apply(registry_client, account_import, django_capture_on_commit_callbacks)
    user = User.objects.get(username="111111-1149700")
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    password = _xlsx_rows(
        registry_client.get(reverse("account_import_passwords_xlsx", args=[account_import.pk])).content
    )[1][5]
    assert Client().post("/login/", {"username": user.username, "password": password}).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$") and "m=19456" not in user.password  # full parameters now
