"""Reading .xlsx, .xls and .ods files safely into rows of cell values.

The format is told by the file's content, not its name. Files that are too large, expand
too much when unzipped, carry XML entity declarations, are password-protected or corrupt
are refused with a message the user can act on. Formulas are never evaluated: the value
the spreadsheet program saved with the file is what is read.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import python_calamine
from django.conf import settings


class ReadError(Exception):
    """The file cannot be read as a spreadsheet; the message says why, in Chinese."""


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARKERS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))


@dataclass
class SheetData:
    name: str
    rows: list[list]  # rows[0] is the spreadsheet's row 1; columns start at A


def sniff_format(data: bytes) -> str:
    """'xlsx', 'ods', 'xls' or raise ReadError."""
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if "xl/workbook.xml" in names:
                    return "xlsx"
                if "mimetype" in names and archive.read("mimetype").startswith(
                    b"application/vnd.oasis.opendocument.spreadsheet"
                ):
                    return "ods"
        except zipfile.BadZipFile:
            raise ReadError("文件已损坏，无法打开。请在 Excel 或 WPS 中重新保存后再上传。") from None
        raise ReadError("文件不是 Excel 或 WPS 表格（.xlsx、.xls、.ods），请选择任务清单表格文件。")
    if data.startswith(OLE2_MAGIC):
        if any(marker in data[:200_000] for marker in ENCRYPTED_MARKERS):
            raise ReadError("工作簿设有打开密码，系统无法读取。请在 Excel 中取消密码后再上传。")
        return "xls"
    raise ReadError("文件不是 Excel 或 WPS 表格（.xlsx、.xls、.ods）。请检查是否选错了文件，或文件被改了扩展名。")


def _check_zip(data: bytes) -> None:
    """Refuse zip bombs and XML entity declarations before any XML parser sees the file."""
    limit = settings.IMPORT_MAX_UNZIPPED_BYTES
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        total = 0
        for info in archive.infolist():
            total += info.file_size
            if total > limit or (info.compress_size and info.file_size / info.compress_size > 200):
                raise ReadError("文件解压后体积异常（可能是恶意构造的文件），系统拒绝读取。")
        for info in archive.infolist():
            if info.filename.endswith((".xml", ".rels")):
                with archive.open(info) as handle:
                    head = handle.read(4096)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise ReadError("文件含有不安全的 XML 声明（DOCTYPE/ENTITY），系统拒绝读取。")


def read_workbook(data: bytes) -> list[SheetData]:
    """All non-empty sheets of the workbook, merged ranges filled with their top-left value."""
    limit = settings.IMPORT_MAX_BYTES
    if len(data) > limit:
        raise ReadError(
            f"文件大小 {len(data) / 1024 / 1024:.1f} MB，超过 {limit / 1024 / 1024:.0f} MB 的上限。"
            "请删除无关的工作表或图片后再上传。"
        )
    if not data:
        raise ReadError("文件是空的。")
    kind = sniff_format(data)
    if kind in ("xlsx", "ods"):
        _check_zip(data)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            _fill_merged(rows, getattr(sheet, "merged_cell_ranges", None) or [])
            if any(any(_present(v) for v in row) for row in rows):
                sheets.append(SheetData(name, rows))
    except ReadError:
        raise
    except Exception as error:  # calamine raises its own error types for every kind of damage
        text = str(error).lower()
        if "password" in text or "encrypt" in text:
            raise ReadError("工作簿设有打开密码，系统无法读取。请在 Excel 中取消密码后再上传。") from None
        raise ReadError("文件已损坏或格式不正确，无法读取。请在 Excel 或 WPS 中重新保存后再上传。") from None
    if not sheets:
        raise ReadError("工作簿中没有任何内容（所有工作表都是空的）。")
    return sheets


def _present(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _fill_merged(rows: list[list], ranges) -> None:
    for (r0, c0), (r1, c1) in ranges:
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(c0, min(c1, len(row) - 1) + 1):
                if not _present(row[c]):
                    row[c] = value
