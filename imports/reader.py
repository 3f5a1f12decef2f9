"""Reading .xlsx, .xls and .ods files safely into rows of cell values.

The format is told by the file's content, not its name. Files that are too large, expand
too much when unzipped, carry XML entity declarations, are password-protected or corrupt
are refused with a message the user can act on. Formulas are never evaluated: the value
the spreadsheet program saved with the file is what is read.

The parser (calamine) allocates every sheet as one dense block from its first to its last
cell: a 2 KB file naming a cell at XFD1048576 asks for half a terabyte and aborts the whole
process, and a few kilobytes of .xls or .ods can claim gigabytes. So the file is parsed in a
forked child with a memory and a CPU-time limit; a hostile file can only kill the child, and
the user is told the file is too large or damaged.
"""

from __future__ import annotations

import codecs
import datetime
import faulthandler
import io
import logging
import os
import pickle
import signal
import zipfile
import zlib
from dataclasses import dataclass

import python_calamine
from django.conf import settings

logger = logging.getLogger(__name__)


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
                if "xl/workbook.bin" in names:  # calamine would read it as .xlsb, past the checks below
                    raise ReadError("不支持 Excel 二进制工作簿（.xlsb）。请在 Excel 中另存为 .xlsx 后再上传。")
                if "xl/workbook.xml" in names:
                    return "xlsx"
                if "mimetype" in names and archive.read("mimetype").startswith(
                    b"application/vnd.oasis.opendocument.spreadsheet"
                ):
                    return "ods"
        except ZIP_DAMAGE:
            raise ReadError("文件已损坏，无法打开。请在 Excel 或 WPS 中重新保存后再上传。") from None
        raise ReadError("文件不是 Excel 或 WPS 表格（.xlsx、.xls、.ods），请选择任务清单表格文件。")
    if data.startswith(OLE2_MAGIC):
        if any(marker in data[:200_000] for marker in ENCRYPTED_MARKERS):
            raise ReadError("工作簿设有打开密码，系统无法读取。请在 Excel 中取消密码后再上传。")
        return "xls"
    raise ReadError("文件不是 Excel 或 WPS 表格（.xlsx、.xls、.ods）。请检查是否选错了文件，或文件被改了扩展名。")


# What a damaged zip raises: bad headers, bad deflate streams, unknown compression, encrypted members.
ZIP_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError, KeyError,
              OSError)


def _check_zip(data: bytes) -> None:
    """Refuse zip bombs and XML entity declarations before any XML parser sees the file."""
    try:
        _check_zip_members(data)
    except ZIP_DAMAGE:
        raise ReadError("文件已损坏，无法打开。请在 Excel 或 WPS 中重新保存后再上传。") from None


def _check_zip_members(data: bytes) -> None:
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
                    if _prolog_declares(handle):
                        raise ReadError("文件含有不安全的 XML 声明（DOCTYPE/ENTITY），系统拒绝读取。")


_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
         (b"<\x00\x00\x00", "utf-32-le"), (b"\x00\x00\x00<", "utf-32-be"),
         (b"<\x00", "utf-16-le"), (b"\x00<", "utf-16-be"))


def _prolog_declares(handle, chunk: int = 1 << 16) -> bool:
    """Does this XML part declare anything (``<!DOCTYPE``, ``<!ENTITY``…) before its root element?

    Declarations may only stand in the prolog, so the prolog is read to its end whatever its length (padding
    does not hide one) and in the part's own encoding (UTF-8, UTF-16 or UTF-32, with or without a byte order
    mark), skipping comments and processing instructions.
    """
    head = handle.read(chunk)
    encoding = next((name for bom, name in _BOMS if head.startswith(bom)), "utf-8")
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    text, position, done = decoder.decode(head), 0, not head
    while True:
        while position < len(text) and (text[position].isspace() or text[position] == "\ufeff"):
            position += 1
        rest = text[position:position + 4]
        closing = "?>" if rest.startswith("<?") else "-->" if rest.startswith("<!--") else None
        if closing is not None and text.find(closing, position + 2) >= 0:
            position = text.find(closing, position + 2) + len(closing)
            continue
        if closing is None and (len(rest) == 4 or (done and rest)):  # enough text to tell "<!--" from "<!DO"
            return rest.startswith("<!")  # a declaration, or else the root element (or junk the parser refuses)
        if done:
            return False
        data = handle.read(chunk)
        done = not data
        text = text[position:] + decoder.decode(data, final=done)
        position = 0


TOO_LARGE = ("文件中的表格范围过大或结构异常，读取时超出了系统允许的内存或时间，已拒绝。"
             "请删除多余的空行、空列和工作表，在 Excel 或 WPS 中重新保存后再上传。")
DAMAGED = "文件已损坏或格式不正确，无法读取。请在 Excel 或 WPS 中重新保存后再上传。"


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
    limits = _Limits(
        cells=int(getattr(settings, "IMPORT_MAX_CELLS", 5_000_000)),
        rows=int(getattr(settings, "IMPORT_MAX_ROWS", 200_000)),
        memory=int(getattr(settings, "IMPORT_READ_MEMORY_MB", 1024)) * 1024 * 1024,
        seconds=int(getattr(settings, "IMPORT_READ_SECONDS", 60)),
    )
    sheets = _parse_isolated(data, limits)
    if not sheets:
        raise ReadError("工作簿中没有任何内容（所有工作表都是空的）。")
    return sheets


@dataclass(frozen=True)
class _Limits:
    cells: int  # cells of all sheets together, counted from A1 to each sheet's last cell
    rows: int  # rows of one sheet
    memory: int  # bytes the parsing child may allocate beyond what it inherits
    seconds: int  # CPU seconds the parsing child may use


def _parse(data: bytes, limits: _Limits) -> list[SheetData]:
    """Parse with calamine; every kind of damage becomes a ReadError."""
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets, cells = [], 0
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            if sheet.end is not None:
                height, width = sheet.end[0] + 1, sheet.end[1] + 1
                if height > limits.rows:
                    raise ReadError(f"工作表“{name}”有 {height} 行，超过 {limits.rows} 行的上限。"
                                    "请删除多余的空行或拆分文件后再上传。")
                cells += height * width
                if cells > limits.cells:
                    raise ReadError(f"工作表“{name}”的使用范围过大（{height} 行 × {width} 列）。"
                                    "请删除多余的空行、空列后再上传。")
            rows = sheet.to_python(skip_empty_area=False)
            _fill_merged(rows, getattr(sheet, "merged_cell_ranges", None) or [])
            if any(any(_present(v) for v in row) for row in rows):
                sheets.append(SheetData(name, rows))
        return sheets
    except ReadError:
        raise
    except Exception as error:  # calamine raises its own error types for every kind of damage
        text = str(error).lower()
        if "password" in text or "encrypt" in text:
            raise ReadError("工作簿设有打开密码，系统无法读取。请在 Excel 中取消密码后再上传。") from None
        raise ReadError(DAMAGED) from None
    except BaseException as error:  # a Rust panic arrives as pyo3's PanicException, a BaseException
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        raise ReadError(DAMAGED) from None


def _parse_isolated(data: bytes, limits: _Limits) -> list[SheetData]:
    """``_parse`` in a forked child under memory and CPU limits (in-process where there is no fork)."""
    if not hasattr(os, "fork"):
        return _parse(data, limits)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        code = 1
        try:
            os.close(read_end)
            _limit_child(limits)
            try:
                result = ("ok", _share_repeats(_parse(data, limits)))
            except ReadError as error:
                result = ("error", str(error))
            payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as handle:
        payload = handle.read()
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:  # reaped by someone else's SIGCHLD handler: the payload tells
        status = 0
    if status != 0 or not payload:
        if os.WIFSIGNALED(status):  # killed by the memory (SIGABRT/SIGSEGV) or CPU (SIGXCPU) limit
            logger.warning("spreadsheet parser stopped by signal %s (%d bytes)", os.WTERMSIG(status), len(data))
            raise ReadError(TOO_LARGE)
        logger.warning("spreadsheet parser exited with status %s (%d bytes)", status, len(data))
        raise ReadError(DAMAGED)
    kind, value = pickle.loads(payload)  # written by the child above: plain lists of cell values
    if kind == "error":
        raise ReadError(value)
    return value


# Cell values that are shared when repeated. Not numbers: 1, 1.0 and True are equal as dictionary keys.
_SHARED_TYPES = frozenset({str, datetime.date, datetime.datetime})


def _share_repeats(sheets: list[SheetData]) -> list[SheetData]:
    """Each repeated text or date as one object. A ledger repeats its townships, industries, units and dates
    down 100,000 rows; pickle writes a shared object once and refers to it after, so the child's answer is
    half the size, and the parent unpickles it in half the time into a fraction of the memory."""
    seen: dict = {}
    shared = seen.setdefault
    for sheet in sheets:
        sheet.rows = [[shared(v, v) if type(v) in _SHARED_TYPES else v for v in row] for row in sheet.rows]
    return sheets


def _limit_child(limits: _Limits) -> None:
    import resource

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(signum, signal.SIG_DFL)  # not the parent's (web server's or worker's) handlers
    # The parser's abort prints a Rust backtrace (and faulthandler a Python one); the parent logs one line instead.
    faulthandler.disable()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if limits.seconds > 0 and (hard == resource.RLIM_INFINITY or limits.seconds < hard):
        resource.setrlimit(resource.RLIMIT_CPU, (limits.seconds, hard))
    if limits.memory > 0:
        try:
            with open("/proc/self/statm") as statm:
                inherited = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError):
            return
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        wanted = inherited + limits.memory
        if hard == resource.RLIM_INFINITY or wanted < hard:
            resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


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
