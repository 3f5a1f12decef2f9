"""Writing .xlsx files the office opens in Excel or WPS.

Every string is written as a string cell, so text that starts with = + - @ stays text and
is never evaluated as a formula (CSV/formula injection).
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

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

    The workbook is written directly as SpreadsheetML (a zip of XML parts): a caption row, a bold header row
    frozen under the caption, column widths, and cells of text (inline strings: never a formula, whatever
    they start with), numbers and dates. It is several times faster than a general-purpose writer on a
    province's register (200,000 rows) and holds one batch of rows at a time. Returns the number of data rows
    written to each sheet.
    """
    counts = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        names = []
        for number, sheet in enumerate(sheets, start=1):
            name = _sheet_name(sheet.title, names)
            names.append(name)
            with book.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as part:
                counts.append(_write_sheet(part, sheet))
        book.writestr("[Content_Types].xml", _content_types(len(sheets)))
        book.writestr("_rels/.rels", _ROOT_RELS)
        book.writestr("xl/workbook.xml", _workbook(names))
        book.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
        book.writestr("xl/styles.xml", _STYLES)
    return counts


# ---- SpreadsheetML ----------------------------------------------------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# Cell styles (cellXfs): 0 plain, 1 header, 2 caption, 3 text wrapped at the top, 4 date.
_HEADER, _CAPTION, _WRAP, _DATE = 1, 2, 3, 4
_STYLES = (
    _HEAD + f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>'
    '<fonts count="3"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFF2DCDB"/><bgColor indexed="64"/></patternFill></fill>'
    '</fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right>'
    '<top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/></border>'
    '</borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" '
    'applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1">'
    '<alignment vertical="top"/></xf></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)
_ROOT_RELS = (
    _HEAD + f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_EXCEL_MAX_TEXT = 32767
_EPOCH = datetime.date(1899, 12, 30)
# What a text needs done before it goes in XML: markup characters, control characters (written as _xHHHH_, as
# Excel does), or spaces at either end (kept with xml:space).
# A carriage return is written escaped too (an XML reader would turn it into a line feed), and text that already
# looks like such an escape is escaped itself, so every text reads back exactly as it was written.
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f]|_x[0-9a-fA-F]{4}_|^\s|\s$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_ESCAPE_LIKE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _column_letters(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: str) -> str:
    """An inline-string cell's content."""
    if len(value) > _EXCEL_MAX_TEXT:
        value = value[:_EXCEL_MAX_TEXT]
    if not _SPECIAL.search(value):
        return f"<is><t>{value}</t></is>"
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _ESCAPE_LIKE.sub(r"_x005F\1", value)
    value = _CONTROL.sub(lambda m: f"_x{ord(m[0]):04X}_", value)
    return f'<is><t xml:space="preserve">{value}</t></is>'


def _serial(value) -> str:
    """Excel's day number of a date or datetime (naive; an aware one in its own local time)."""
    if isinstance(value, datetime.datetime):
        value = value.replace(tzinfo=None)
        day = (value.date() - _EPOCH).days
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return repr(day + seconds / 86400) if seconds else str(day)
    return str((value - _EPOCH).days)


def _cell(ref: str, value) -> str:
    # Called for every cell of every export (millions for a province's register): the common types are
    # dispatched by exact type first; empty cells are left out (a blank cell needs no record).
    kind = type(value)
    if kind is str:
        return f'<c r="{ref}" s="{_WRAP}" t="inlineStr">{_text(value)}</c>' if value else ""
    if value is None:
        return ""
    if kind is datetime.date:
        return f'<c r="{ref}" s="{_DATE}"><v>{(value - _EPOCH).days}</v></c>'
    if kind is int:
        return f'<c r="{ref}" s="{_WRAP}"><v>{value}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" s="{_WRAP}" t="inlineStr">{_text("是" if value else "否")}</c>'
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            return f'<c r="{ref}" s="{_WRAP}" t="inlineStr">{_text(str(value))}</c>'
        return f'<c r="{ref}" s="{_WRAP}"><v>{repr(number) if number != int(number) else int(number)}</v></c>'
    if isinstance(value, datetime.date):
        return f'<c r="{ref}" s="{_DATE}"><v>{_serial(value)}</v></c>'
    text = str(value)
    return f'<c r="{ref}" s="{_WRAP}" t="inlineStr">{_text(text)}</c>' if text else ""


def _write_sheet(part, sheet: Sheet) -> int:
    widths = sheet.widths or [16] * len(sheet.headers)
    letters = [_column_letters(n) for n in range(max(len(sheet.headers), len(widths), 1))]
    frozen = 2 if sheet.caption else 1  # rows above the data
    cols = "".join(f'<col min="{n}" max="{n}" width="{width + 0.7109375}" customWidth="1"/>'
                   for n, width in enumerate(widths, start=1))
    out = [
        _HEAD, f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetViews><sheetView workbookViewId="0">'
        f'<pane ySplit="{frozen}" topLeftCell="A{frozen + 1}" activePane="bottomLeft" state="frozen"/>'
        f'<selection pane="bottomLeft" activeCell="A{frozen + 1}" sqref="A{frozen + 1}"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/>{f"<cols>{cols}</cols>" if cols else ""}<sheetData>',
    ]
    row = 0
    if sheet.caption:
        row += 1
        out.append(f'<row r="{row}"><c r="A{row}" s="{_CAPTION}" t="inlineStr">{_text(sheet.caption)}</c></row>')
    row += 1
    out.append(f'<row r="{row}">' + "".join(
        f'<c r="{letters[n]}{row}" s="{_HEADER}" t="inlineStr">{_text(name)}</c>'
        for n, name in enumerate(sheet.headers)) + "</row>")
    first = row
    for values in sheet.rows:
        row += 1
        while len(values) > len(letters):
            letters.append(_column_letters(len(letters)))
        out.append(f'<row r="{row}">')
        for n, value in enumerate(values):
            if value is not None and value != "":
                out.append(_cell(f"{letters[n]}{row}", value))
        out.append("</row>")
        if len(out) > 20000:
            part.write("".join(out).encode())
            out.clear()
    out.append("</sheetData></worksheet>")
    part.write("".join(out).encode())
    return row - first


def _sheet_name(title: str, taken: list[str]) -> str:
    name = _INVALID_SHEET_CHARS.sub("_", title).strip("'")[:31] or "Sheet"
    base, n = name, 1
    while name.lower() in (t.lower() for t in taken):
        n += 1
        suffix = f"({n})"
        name = base[:31 - len(suffix)] + suffix
    return name


def _xml_attr(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _workbook(names: list[str]) -> str:
    sheets = "".join(f'<sheet name="{_xml_attr(name)}" sheetId="{n}" r:id="rId{n}"/>'
                     for n, name in enumerate(names, start=1))
    return (_HEAD + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/></bookViews>'
            f"<sheets>{sheets}</sheets></workbook>")


def _workbook_rels(count: int) -> str:
    sheets = "".join(
        f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, count + 1))
    return (_HEAD + f'<Relationships xmlns="{_PKG_REL}">{sheets}'
            f'<Relationship Id="rId{count + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>')


def _content_types(count: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, count + 1))
    return (
        _HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{sheets}</Types>"
    )


def xlsx_response(filename: str, sheets: list[Sheet]) -> HttpResponse:
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response
