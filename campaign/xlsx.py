"""Writing .xlsx files the office opens in Excel or WPS.

Every string is written as a string cell, so text that starts with = + - @ stays text and
is never evaluated as a formula (CSV/formula injection).
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import xlsxwriter
from django.http import HttpResponse
from django.utils.encoding import escape_uri_path

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Sheet:
    """One worksheet. ``rows`` may be any iterable, e.g. a generator reading the database in chunks."""

    title: str
    headers: list[str]
    rows: Iterable[list]
    widths: list[int] | None = None
    caption: str = ""


def write_xlsx(target, sheets: list[Sheet]) -> list[int]:
    """Write ``sheets`` to a path or a binary file object, streaming rows (constant memory).

    Returns the number of data rows written to each sheet.
    """
    counts = []
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
        first = row
        for values in sheet.rows:
            row += 1
            for col, value in enumerate(values):
                _write(ws, row, col, value, wrap, date_fmt)
        counts.append(row - first)
    book.close()
    return counts


def _write(ws, row, col, value, wrap, date_fmt):
    # Called for every cell of every export (millions for a province's register): the common types are
    # dispatched by exact type first; empty cells are left unwritten (a blank cell needs no record).
    kind = type(value)
    if kind is str:
        if value:
            ws.write_string(row, col, value, wrap)
    elif value is None:
        return
    elif kind is datetime.date:
        ws.write_datetime(row, col, datetime.datetime(value.year, value.month, value.day), date_fmt)
    elif kind is int or kind is float:
        ws.write_number(row, col, value, wrap)
    elif isinstance(value, bool):
        ws.write_string(row, col, "是" if value else "否", wrap)
    elif isinstance(value, (int, float, Decimal)):
        ws.write_number(row, col, float(value), wrap)
    elif isinstance(value, datetime.datetime):
        ws.write_datetime(row, col, value.replace(tzinfo=None), date_fmt)
    elif isinstance(value, datetime.date):
        ws.write_datetime(row, col, datetime.datetime.combine(value, datetime.time()), date_fmt)
    else:
        text = str(value)
        if text:
            ws.write_string(row, col, text, wrap)


def xlsx_response(filename: str, sheets: list[Sheet]) -> HttpResponse:
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response
