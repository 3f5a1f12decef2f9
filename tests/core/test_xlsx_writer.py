"""campaign/xlsx.write_xlsx: the streaming SpreadsheetML writer every export uses."""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

import openpyxl
import pytest

from core.xlsx import Sheet, write_xlsx

ROWS = [
    [1, "企业&<甲>", datetime.date(2024, 5, 1), datetime.datetime(2024, 5, 1, 12, 30), Decimal("1.50"), 2.5, True,
     None, ""],
    [2, " 前后有空格 ", datetime.date(2025, 12, 31), None, Decimal("3"), -1.25, False, "多行\n文本", "x" * 40000],
]


def written(sheets) -> bytes:
    out = io.BytesIO()
    write_xlsx(out, sheets)
    return out.getvalue()


def test_cells_styles_and_layout_read_back():
    data = written([Sheet("隐患[台账]", list("ABCDEFGHI"), iter(ROWS), widths=[6, 30], caption="某县 · 台账"),
                    Sheet("隐患[台账]", ["x"], [[1]])])
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["隐患_台账_", "隐患_台账_(2)"]  # characters Excel refuses, and a duplicate
    ws = book.worksheets[0]
    assert ws["A1"].value == "某县 · 台账" and ws["A1"].font.b and ws["A1"].font.sz == 14
    assert [c.value for c in ws[2]] == list("ABCDEFGHI") and ws["A2"].font.b and ws["A2"].border.left.style == "thin"
    assert ws.freeze_panes == "A3"
    assert ws.column_dimensions["A"].width == pytest.approx(6.71, abs=0.01)
    first, second = (tuple(c.value for c in row) for row in ws.iter_rows(min_row=3))
    assert first == (1, "企业&<甲>", datetime.datetime(2024, 5, 1), datetime.datetime(2024, 5, 1, 12, 30), 1.5, 2.5,
                     "是", None, None)
    assert second[:8] == (2, " 前后有空格 ", datetime.datetime(2025, 12, 31), None, 3, -1.25, "否", "多行\n文本")
    assert second[8] == "x" * 32767  # Excel's limit for one cell
    assert ws["C3"].number_format == "yyyy\\-mm\\-dd" and ws["B3"].alignment.wrap_text


def test_every_part_is_well_formed_xml():
    with zipfile.ZipFile(io.BytesIO(written([Sheet("表", ["a"], [["\x00\x07控制字符"]])]))) as book:
        for name in book.namelist():
            ElementTree.fromstring(book.read(name))


def test_returns_the_rows_written_and_streams_a_generator():
    out = io.BytesIO()
    assert write_xlsx(out, [Sheet("a", ["n"], ([n] for n in range(25000))), Sheet("b", ["n"], [])]) == [25000, 0]
    ws = openpyxl.load_workbook(io.BytesIO(out.getvalue()), read_only=True).worksheets[0]
    assert sum(1 for _ in ws.iter_rows(min_row=2)) == 25000


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_libreoffice_opens_it(tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(written([Sheet("台账", ["序号", "名称", "日期"], ROWS, caption="标题")]))
    utf8 = "csv:Text - txt - csv (StarCalc):44,34,76"
    result = subprocess.run(["soffice", "--headless", "--convert-to", utf8, "--outdir", str(tmp_path), str(path)],
                            capture_output=True, text=True, timeout=120)
    csv = tmp_path / "book.csv"
    if "could not be loaded" in result.stdout + result.stderr and not csv.exists():
        pytest.skip("this LibreOffice has no spreadsheet component (Calc)")
    text = csv.read_text(encoding="utf-8", errors="replace")
    assert "企业&<甲>" in text and "2024-05-01" in text
