"""Attachment checks: the type is read from the file's first bytes, never from its name."""

from __future__ import annotations

import uuid
import zipfile

from django.conf import settings

from .errors import ServiceError

ALLOWED = {"pdf": "PDF 文档", "jpg": "JPG 图片", "png": "PNG 图片", "docx": "Word 文档", "xlsx": "Excel 表格"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def sniff_kind(upload) -> str | None:
    """'pdf', 'jpg', 'png', 'docx', 'xlsx' or None, from the content."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
    return None


def stored_name(kind: str) -> str:
    """The name a file is stored under: generated, with the extension of the type its content was found to be
    (never the uploaded name: a PDF named "x.html" must not be served or opened as HTML)."""
    return f"{uuid.uuid4().hex}.{kind}"


def check_attachments(uploads, *, already: int = 0) -> list[str]:
    """Each file's kind (see ``check_attachment``), and no more than ATTACHMENTS_PER_ITEM files on one item
    (``already``: those it has)."""
    cap = settings.ATTACHMENTS_PER_ITEM
    if already + len(uploads) > cap:
        raise ServiceError(f"每项最多保留 {cap} 个附件（已有 {already} 个，本次上传 {len(uploads)} 个），"
                              "请合并或删减后再上传。")
    return [check_attachment(upload) for upload in uploads]


def check_attachment(upload) -> str:
    """Return the file's kind, or raise a ServiceError (a ValidationError) that says what is wrong in plain Chinese."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ServiceError(
            f"附件“{upload.name}”大小为 {upload.size / 1024 / 1024:.1f} MB，超过 {limit // 1024 // 1024} MB 的上限。"
        )
    kind = sniff_kind(upload)
    if kind is None:
        allowed = "、".join(ALLOWED.values())
        raise ServiceError(f"附件“{upload.name}”不是可接受的文件类型（只接受 {allowed}），请检查文件内容。")
    return kind
