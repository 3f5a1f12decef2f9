"""Writing .xlsx files the office opens in Excel or WPS.

Every string is written as a string cell, so text that starts with = + - @ stays text and
is never evaluated as a formula (CSV/formula injection).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

import xlsxwriter
from django.http import HttpResponse
from django.utils.encoding import escape_uri_path

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Sheet:
    title: str
    headers: list[str]
    rows: list[list]
    widths: list[int] | None = None
    caption: str = ""


def write_xlsx(target, sheets: list[Sheet]) -> None:
    """Write ``sheets`` to a path or a binary file object, streaming rows (constant memory)."""
    book = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False, "strings_to_formulas": False})
    header = book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1, "text_wrap": True, "valign": "vcenter"})
    title_fmt = book.add_format({"bold": True, "font_size": 14})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
    for sheet in sheets:
        ws = book.add_worksheet(sheet.title[:31])
        row = 0
        if sheet.caption:
            ws.write_string(row, 0, sheet.caption, title_fmt)
            row += 1
        for col, width in enumerate(sheet.widths or [16] * len(sheet.headers)):
            ws.set_column(col, col, width)
        for col, name in enumerate(sheet.headers):
            ws.write_string(row, col, name, header)
        ws.freeze_panes(row + 1, 0)
        for values in sheet.rows:
            row += 1
            for col, value in enumerate(values):
                _write(ws, row, col, value, wrap, date_fmt)
    book.close()


def _write(ws, row, col, value, wrap, date_fmt):
    if value is None or value == "":
        ws.write_blank(row, col, None, wrap)
    elif isinstance(value, bool):
        ws.write_string(row, col, "是" if value else "否", wrap)
    elif isinstance(value, (int, float, Decimal)):
        ws.write_number(row, col, float(value), wrap)
    elif isinstance(value, datetime.datetime):
        ws.write_datetime(row, col, value.replace(tzinfo=None), date_fmt)
    elif isinstance(value, datetime.date):
        ws.write_datetime(row, col, datetime.datetime.combine(value, datetime.time()), date_fmt)
    else:
        ws.write_string(row, col, str(value), wrap)


def xlsx_response(filename: str, sheets: list[Sheet]) -> HttpResponse:
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response
