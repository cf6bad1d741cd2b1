# ruff: noqa: E501  (the column lists are copied from FORMATS.md as written there)
"""Every roster as the central database names it: sheet names and header rows read back with openpyxl
and compared with a table copied from FORMATS.md §1 and §2.4 — not from the writer's definitions."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from django.urls import reverse

from licheng.submissions.models import Submission, SubmittedRoster
from licheng.submissions.tests.test_submissions import build, term_data  # noqa: F401
from licheng.testing.clients import client_in
from licheng.testing.personas import Personas

ID = "身分證號"


def cols(text: str) -> tuple[str, ...]:
    return (ID, *(name.strip() for name in text.split(",")))


# FORMATS.md §2.4, copied as written there.
_TERM_GRADES = (
    "課程代碼, 科目名稱, 開課年級, 修課學分, 學期學業成績, 成績及格, 補考成績, 補考及格, 是否採計學分, 質性文字描述"
)
_MAKEUP = (
    "課程代碼, 科目名稱, 開課年級, 修課學分, 應修課學年度, 應修課學期, 補修成績, 補修及格, 補考成績, 補考及格, "
    "是否採計學分, 質性文字描述"
)
_TRANSFER = "課程代碼, 科目名稱, 修課學分, 對應年級, 對應學年度, 身分別, 是否採計學分, 抵免後成績, 對應學期, 成績及格, 質性文字描述"
_RETAKE = "原修課學年度, 原修課學期, 原修課課程代碼, 原修課科目名稱, 原修課開課年級, 原修課修課學分, 重修成績, 重修及格, 質性文字描述"
_REPEAT = "課程代碼, 科目名稱, 開課年級, 修課學分, 重讀成績, 成績及格, 補考成績, 補考及格, 是否採計學分, 重讀註記, 質性文字描述"
_CE_TERM = (
    "課程代碼, 科目名稱, 開課年級, 修課節數, 學期學業成績, 成績及格, 學年學業成績, 學年及格, 是否採計學時, 質性文字描述"
)
_CE_MAKEUP = (
    "課程代碼, 科目名稱, 開課年級, 第一學期開設修課節數, 第二學期開設修課節數, 第一次補考成績, 第一次及格, "
    "第二次補考成績, 第二次及格"
)
_CE_TRANSFER = "課程代碼, 科目名稱, 對應年級, 對應學年度, 對應學期, 身分別, 抵免後成績, 成績及格, 是否採計學時, 修課節數, 質性文字描述"

STUDENTS = {
    "學生資料": cols(
        "性別代碼, 出生日期, 群別代碼, 科班學程別代碼, 部別代碼, 班別, 年級, 班級名稱, 座號, 特殊身分別, 原住民族別, "
        "原住民身分別, 族語認證報考方言, 報考年度, 族語認證有效日期, 實驗班名稱, 入學方式, 學籍狀態, 學籍異動日期"
    ),
    "學生借讀資料": cols("所屬學校代碼, 借讀學校代碼, 群別, 借讀科班學程別, 借讀代碼, 申請開始日期, 申請結束日期"),
}
GRADES = {
    "學期成績": cols(_TERM_GRADES),
    "補修成績": cols(_MAKEUP),
    "轉學轉科成績": cols(_TRANSFER),
    "重修成績": cols(_RETAKE),
    "重讀成績": cols(_REPEAT),
    "進修部學期成績": cols(_CE_TERM),
    "進修部補考成績": cols(_CE_MAKEUP),
    "進修部轉學轉科成績": cols(_CE_TRANSFER),
}
CADRE = {"幹部經歷紀錄": cols("單位名稱, 開始日期, 結束日期, 擔任職務, 幹部等級")}
_P = ", 內容簡述, 證明文件連結, 影音檔案連結, 外部影音連結"
PERFORMANCES = {
    "幹部經歷暨事蹟紀錄": cols("單位名稱, 開始日期, 結束日期, 擔任職務, 幹部等級" + _P),
    "競賽參與紀錄": cols("競賽名稱, 項目, 競賽等級代碼, 獎項, 結果公布日期, 團體參與代碼" + _P),
    "檢定證照紀錄": cols(
        "證照代碼, 檢定證照類別, 國內國外, 證照類別, 發照單位, 證照名稱, 級數分數, 分數, 分項結果, 取得證照日期, 證照字號, "
        "檢定組別" + _P
    ),
    "服務學習紀錄": cols("服務名稱, 服務單位, 開始日期, 結束日期, 時數" + _P),
    "彈性學習時間紀錄": cols(
        "彈性學習時間類別(種類), 內容(開設名稱), 開設單位, 開設學年度, 開設學期, 每週節數, 開設週數" + _P
    ),
    "團體活動時間紀錄": cols("團體活動時間類別, 辦理單位, 團體活動內容名稱, 活動學年度, 活動學期, 節數" + _P),
    "職場學習紀錄": cols("職場學習類別, 職場學習單位, 職場學習職稱, 開始日期, 結束日期, 時數" + _P),
    "作品成果紀錄": cols("名稱, 日期" + _P),
    "大學及技專校院先修課程紀錄": cols("計畫專案, 開設單位, 課程名稱, 開始日期, 結束日期, 學分數, 總時數" + _P),
    "其他多元表現紀錄": cols("名稱, 主辦單位, 開始日期, 結束日期, 時數" + _P),
}
_O = ", 課程學習成果檔案, 課程學習成果影音連結"
_TERM_OUTCOME = "開課年級, 課程代碼, 科目名稱, 修課學分, 實際修課學年度, 實際修課學期, 成果簡述"
_TRANSFER_OUTCOME = (
    "原修課學校名稱, 原修課學年度, 原修課學期, 原修課課程代碼, 原修課科目名稱, 原修課開課年級, 原修課修課學分, 成果簡述"
)
_VISITING_OUTCOME = "借讀學校名稱, 借讀修課學年度, 借讀修課學期, 借讀校課程代碼, 借讀校科目名稱, 借讀校開課年級, 借讀校修課學分, 成果簡述"
OUTCOMES = {
    "學期課程學習成果": cols(_TERM_OUTCOME + _O),
    "補修課程學習成果": cols(
        "應修課學年度, 應修課學期, 課程代碼, 科目名稱, 開課年級, 修課學分, 實際修課學年度, 實際修課學期, 成果簡述" + _O
    ),
    "重修課程學習成果": cols(
        "原修課學年度, 原修課學期, 原修課課程代碼, 原修課科目名稱, 原修課開課年級, 原修課修課學分, 實際修課學年度, "
        "實際修課學期, 成果簡述" + _O
    ),
    "重讀課程學習成果": cols(_TERM_OUTCOME + _O),
    "轉學轉科課程學習成果": cols(_TRANSFER_OUTCOME + _O),
    "借讀課程學習成果": cols(_VISITING_OUTCOME + _O),
}
CONTINUING_OUTCOMES = {
    "進修部學期課程學習成果": cols(_TERM_OUTCOME.replace("修課學分", "修課節數") + _O),
    "進修部轉學": cols(_TRANSFER_OUTCOME + _O),
    "進修部借讀課程學習成果": cols(_VISITING_OUTCOME + _O),
}
# 名冊別 → (sheets, 學期 on the cover: "term" or 0).
EXPECTED: dict[str, tuple[dict[str, tuple[str, ...]], Any]] = {
    "1": (STUDENTS, "term"),
    "2": (GRADES, "term"),
    **dict.fromkeys(("24", "34", "74"), (CADRE, "term")),
    **dict.fromkeys(("25", "35", "75"), (PERFORMANCES, 0)),
    **dict.fromkeys(("26", "36", "76"), (OUTCOMES, 0)),
    **dict.fromkeys(("28", "38", "78"), (CONTINUING_OUTCOMES, 0)),
}


def _book(p: Personas, submission: Submission, code: str) -> Any:
    response = client_in("en", p.registry).get(reverse("submissions:roster", args=[submission.pk, code]))
    assert response.status_code == 200, code
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)  # type: ignore[attr-defined]


def test_every_roster_has_the_central_databases_sheets_and_headers(
    term_data: Personas,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    from licheng.testing.factories import make_term

    p = term_data
    seen = set()
    for term in (p.term, make_term(p.school, 114, 2)):
        submission = build_for(p, term, django_capture_on_commit_callbacks)
        for roster in SubmittedRoster.objects.filter(submission=submission):
            code = roster.code
            seen.add(code)
            sheets, cover_term = EXPECTED[code]
            book = _book(p, submission, code)
            assert book.sheetnames == ["封面", *sheets], code
            cover = list(book["封面"].iter_rows(values_only=True))
            assert cover[0] == ("學校代碼", "學年度", "學期", "名冊別"), code
            assert cover[1] == (p.school.code, 114, term.number if cover_term == "term" else 0, int(code)), code
            for name, headers in sheets.items():
                rows = list(book[name].iter_rows(values_only=True))
                assert rows[0] == headers, (code, name)
                # Every row as wide as the header, a blank last cell included (學籍異動日期 here).
                assert all(len(row) == len(headers) for row in rows), (code, name)
    assert seen == set(EXPECTED)


def build_for(p: Personas, term: Any, capture: Any) -> Submission:
    client = client_in("en", p.registry)
    with capture(execute=True):
        assert client.post(reverse("submissions:start"), {"term": term.pk}).status_code == 302
    submission = Submission.objects.filter(school=p.school, term=term).order_by("-number").first()
    assert submission is not None and submission.status == "done", submission and submission.error
    return submission


def test_student_roster_fills_the_profile_codes(
    term_data: Personas,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    import datetime

    from licheng.lifecycle.models import StatusChange

    p = term_data
    s = p.student
    s.group_code, s.programme_code, s.special_statuses = "21", "101", "1,4"
    s.indigenous_ethnicity, s.indigenous_status, s.indigenous_language_dialect = "01", "1", "南勢阿美語"
    s.indigenous_language_exam_year, s.indigenous_language_valid_until = 113, datetime.date(2027, 7, 31)
    s.experimental_class, s.admission_route = "數理實驗班", "3"
    s.save()
    StatusChange.objects.create(
        school=p.school,
        student=s,
        kind="visiting",
        effective_on=p.term.starts_on,
        status_after="visiting",
        other_school_code="123456",
        other_school_name="借讀高中",
        starts_on=p.term.starts_on,
        ends_on=p.term.ends_on,
        visiting_group_code="21",
        visiting_programme_code="301",
        visiting_code="A1",
    )
    submission = build(p, django_capture_on_commit_callbacks)
    book = _book(p, submission, "1")
    header, row = list(book["學生資料"].iter_rows(values_only=True))[:2]
    cell = dict(zip(header, row, strict=True))
    assert cell["群別代碼"] == "21" and cell["科班學程別代碼"] == "101" and cell["特殊身分別"] == "1,4"
    assert (cell["原住民族別"], cell["原住民身分別"], cell["族語認證報考方言"]) == ("01", "1", "南勢阿美語")
    assert (cell["報考年度"], cell["族語認證有效日期"]) == ("113", "1160731")
    assert (cell["實驗班名稱"], cell["入學方式"]) == ("數理實驗班", "3")
    assert cell["學籍異動日期"] == f"{p.term.starts_on.year - 1911:03d}{p.term.starts_on:%m%d}"
    header, row = list(book["學生借讀資料"].iter_rows(values_only=True))[:2]
    visiting = dict(zip(header, row, strict=True))
    assert (visiting["所屬學校代碼"], visiting["借讀學校代碼"], visiting["借讀代碼"]) == (p.school.code, "123456", "A1")
