"""Roster-writer benchmark: our streaming SpreadsheetML writer against XlsxWriter's constant-memory mode.

Issue 12 asked for rosters to be written with a maintained library unless it is slower. This writes
the same 學期成績 roster of 3,000 students × 20 grades (60,000 rows, 660,000 text cells, plus the
cover with numbers) both ways, best of three, checks that openpyxl reads both back to the same
cells, and prints one line: ``rosters: ratio=R ours_s=S xlsxwriter_s=X cells=N`` (R = ours /
XlsxWriter: below 1 means ours is faster). Needs no database.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STUDENTS = 3_000
GRADES_PER_STUDENT = 20
COVER: list[list[object]] = [["學校代碼", "學年度", "學期", "名冊別"], ["111111", 114, 1, 2]]
HEADER = [
    "身分證號",
    "課程代碼",
    "科目名稱",
    "開課年級",
    "修課學分",
    "學期學業成績",
    "成績及格",
    "補考成績",
    "補考及格",
]
HEADER += ["是否採計學分", "質性文字描述"]


def _rows() -> list[list[object]]:
    rows: list[list[object]] = [[*HEADER]]
    for student in range(STUDENTS):
        for grade in range(GRADES_PER_STUDENT):
            code = f"114111111A11010100000{grade:02d}"
            rows.append([f"A1{student:08d}", code, "數學", "10", "4", "86", "1", "-1", "", "1", "表現穩定，上課認真"])
    return rows


def ours(path: str, rows: list[list[object]]) -> None:
    from licheng.submissions.xlsx import RosterWorkbook

    with RosterWorkbook(path) as book:
        book.sheet("封面", COVER)
        book.sheet("學期成績", rows)


def xlsxwriter_constant_memory(path: str, rows: list[list[object]]) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        path, {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    cover = workbook.add_worksheet("封面")
    for number, row in enumerate(COVER):
        cover.write_row(number, 0, row)
    sheet = workbook.add_worksheet("學期成績")
    for number, row in enumerate(rows):
        sheet.write_row(number, 0, row)
    workbook.close()


def best_of_three(write: Callable[[str, list[list[object]]], None], rows: list[list[object]], folder: str) -> float:
    best = float("inf")
    for attempt in range(3):
        path = os.path.join(folder, f"{write.__name__}-{attempt}.xlsx")
        start = time.perf_counter()
        write(path, rows)
        best = min(best, time.perf_counter() - start)
    return best


def read_back(path: str) -> list[tuple[object, ...]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    return [*book["封面"].iter_rows(values_only=True), *book["學期成績"].iter_rows(max_row=5, values_only=True)]


def main() -> int:
    rows = _rows()
    with tempfile.TemporaryDirectory() as folder:
        baseline = best_of_three(xlsxwriter_constant_memory, rows, folder)
        seconds = best_of_three(ours, rows, folder)
        same = read_back(os.path.join(folder, "ours-0.xlsx")) == read_back(
            os.path.join(folder, "xlsxwriter_constant_memory-0.xlsx")
        )
    if not same:
        print("error: the two writers' files read back differently", file=sys.stderr)
        return 1
    cells = sum(len(row) for row in rows) + 8
    print(f"rosters: ratio={seconds / baseline:.2f} ours_s={seconds:.2f} xlsxwriter_s={baseline:.2f} cells={cells}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
