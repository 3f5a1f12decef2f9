"""Workbooks built like the ones offices really send, for the import tests."""

import datetime
import io
import zipfile

import openpyxl


def real_shaped_xlsx(rows=None) -> bytes:
    """Title rows, a two-row header with 责任分工 over 牵头/配合, cells merged down, full-width digits,
    short unit names, text dates, a task number written inside the text."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "任务清单"
    ws["A1"] = "某县安全生产治本攻坚三年行动任务清单"
    ws.merge_cells("A1:G1")
    ws["A2"] = "填报单位（盖章）：县住建局          填报日期：2024年3月"
    ws.merge_cells("A2:G2")
    for col, title in zip("ABCDG", ["序号", "行动", "重点工作", "具体任务", "完成时限"], strict=True):
        ws[f"{col}3"] = title
        ws.merge_cells(f"{col}3:{col}4")
    ws["E3"] = "责任分工"
    ws.merge_cells("E3:F3")
    ws["E4"] = "牵头单位"
    ws["F4"] = "配合单位"
    data = rows if rows is not None else [
        ["１", "一、开展重大事故隐患动态清零行动", "完善督办制度",
         "健全重大事故隐患督办制度，挂牌督办，企业员工应知应会知识抽查知晓率达到80%以上。",
         "县住建局", "县应急局、某某镇", "2024年底前"],
        ["2", None, None, "建立隐患数据库，实现全量汇总。", "县应急管理局", None, datetime.datetime(2025, 6, 30)],
        [None, None, "强化执法", "3.对发现的问题隐患督促整改率达到100%", "dept-b", "县住建局/某某镇", "2025.12.31"],
        ["4", "二、开展安全素质提升行动", None,
         "2024年，企业“四不”演练占比达到40%；2025年，企业“四不”演练占比达到50%。", "县应急局", None, None],
    ]
    for offset, values in enumerate(data):
        for col, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(row=5 + offset, column=col, value=value)
    # The action line is merged down over its three tasks, as offices do.
    if rows is None:
        ws.merge_cells("B5:B7")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def simple_xlsx(header, rows, title_rows=()) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in title_rows:
        ws.append(row)
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xls_bytes(header, rows) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("任务")
    for c, value in enumerate(header):
        sheet.write(0, c, value)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ods_bytes(header, rows) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name="任务")
    for values in [header, *rows]:
        tr = TableRow()
        for value in values:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    doc.write(buffer)
    return buffer.getvalue()


def with_formula_cached(xlsx: bytes, cell: str, formula: str, cached: str) -> bytes:
    """Rewrite one cell as a formula with a saved value, as Excel writes it (openpyxl cannot)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                start = text.index(f'<c r="{cell}"')
                end = text.index("</c>", start) + 4
                text = text[:start] + f'<c r="{cell}" t="str"><f>{formula}</f><v>{cached}</v></c>' + text[end:]
                data = text.encode()
            target.writestr(item, data)
    return out.getvalue()


ENTITY_DECLARATION = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'


def with_entity_declaration(xlsx: bytes, *, padding: str = "", encoding: str = "") -> bytes:
    """The workbook with entity declarations in its sheet's prolog: after ``padding`` (whitespace, comments) and,
    with ``encoding`` ("utf-16", "utf-16-be", "utf-32"…), the whole part re-encoded in it."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                end = text.index("?>") + 2 if text.startswith("<?xml") else 0
                text = text[:end] + padding + ENTITY_DECLARATION + text[end:]
                if encoding:
                    text = text.replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"')
                data = text.encode(encoding or "utf-8")
            target.writestr(item, data)
    return out.getvalue()


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("[Content_Types].xml", "<Types/>")
        target.writestr("xl/workbook.xml", "<workbook/>")
        target.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    return out.getvalue()


def encrypted_workbook() -> bytes:
    """The start of an OLE2 container as Excel writes a password-protected workbook."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    directory = "EncryptionInfo".encode("utf-16-le") + b"\x00" * 50 + "EncryptedPackage".encode("utf-16-le")
    return header + directory + b"\x00" * 2048
