"""The import engine: read the workbook, find the sheet and its header, let the sheet's importer
parse, validate and compare the rows, and save everything in one transaction or nothing."""

from __future__ import annotations

import contextlib
import gc
import logging
from dataclasses import dataclass, field

from django.db import DataError, IntegrityError, transaction

from .reader import ReadError, read_workbook
from .sheet import Problem, Row, data_rows, describe_columns, find_header, missing_columns

logger = logging.getLogger(__name__)
DATABASE_REFUSED = ("保存时数据库拒绝了文件中的内容（例如某个单元格的文字过长、数值过大），本次没有导入任何数据。"
                    "请检查文件后重新上传；如仍出现，请联系管理员。")


class ImportFailed(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass
class RowChange:
    row: int
    code: str
    summary: str
    status: str  # "new" | "changed" | "unchanged"
    changes: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class Preview:
    """What an import would do; nothing has been written when it exists."""

    sheet: str = ""
    problems: list[Problem] = field(default_factory=list)
    rows: list[RowChange] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (code, summary) in the plan, not in the file
    # What confirming takes out of force while keeping its records (a responsibility with reports is withdrawn,
    # never deleted): shown before confirmation, named in the result, refused by the command unless asked for.
    withdrawals: list[Problem] = field(default_factory=list)
    removed: int = 0  # rows of ``missing`` deleted by the save (those carrying records are kept)
    recognised: dict[str, list[str]] = field(default_factory=dict)
    specs: list = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = {"new": 0, "changed": 0, "unchanged": 0}
        for row in self.rows:
            counts[row.status] += 1
        return counts

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "problems": [p.as_dict() for p in self.problems],
            "rows": [
                {"row": r.row, "code": r.code, "summary": r.summary, "status": r.status, "changes": r.changes}
                for r in self.rows
            ],
            "missing": self.missing,
            "withdrawals": [p.as_dict() for p in self.withdrawals],
            "recognised": self.recognised,
            "counts": self.counts,
        }


def sheet_rows(importer, data: bytes) -> tuple[str, list[Row]]:
    """Pick the first sheet whose header names the required columns; its rows below the header."""
    try:
        sheets = read_workbook(data)
    except ReadError as error:
        raise ImportFailed([Problem(None, None, str(error))]) from None
    first_problem = None
    for sheet in sheets:
        found = find_header(sheet.rows, importer.columns)
        if found is None:
            continue
        header_index, mapping = found
        missing = missing_columns(mapping, importer.required_columns())
        if missing:
            first_problem = first_problem or Problem(
                header_index + 1, None,
                f"工作表“{sheet.name}”缺少必需的列：{describe_columns(missing)}。",
            )
            continue
        rows = data_rows(sheet.rows, header_index, mapping)
        if not rows:
            raise ImportFailed([Problem(header_index + 1, None, f"工作表“{sheet.name}”在表头下面没有任何数据行。")])
        return sheet.name, rows
    if first_problem:
        raise ImportFailed([first_problem])
    needed = describe_columns(importer.required_columns())
    raise ImportFailed([Problem(None, None, f"没有找到表头。请确认表格第一行或标题行下方有这些列：{needed}。")])


@contextlib.contextmanager
def cyclic_gc_paused():
    """Pause the cyclic garbage collector for a bulk step.

    An import allocates hundreds of thousands of small tuples and dicts, none of them in reference cycles;
    each allocation burst triggers collections that rescan everything still alive, which cost a third of
    a 10,000-row import. Reference counting still frees everything as usual.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def build_preview(importer, data: bytes) -> Preview:
    """Everything the import would do, or the problems that stop it; writes nothing."""
    with cyclic_gc_paused():
        return _build_preview(importer, data)


def _build_preview(importer, data: bytes) -> Preview:
    try:
        name, rows = sheet_rows(importer, data)
    except ImportFailed as failed:
        return Preview(problems=failed.problems)
    specs, problems = importer.parse(rows)
    if problems:
        return Preview(sheet=name, problems=problems)
    preview = importer.compare(specs)
    preview.sheet = name
    return preview


WITHDRAW_HINT = "以上责任分解已有填报或督办记录，导入后将撤销（记录保留）；确认撤销请使用 --withdraw。"


def run_import(importer, data: bytes, *, user=None, dry_run=False, remove_missing=False,
               withdraw: bool | list[dict] = True) -> Preview:
    """Preview, then save it all in one transaction (unless ``dry_run``); raises ImportFailed on any problem.

    ``withdraw``: True lets the save withdraw what ``Preview.withdrawals`` lists; False refuses a file that would
    withdraw anything; a list (a stored preview's withdrawals) allows exactly those, so a plan that changed since
    the preview was shown is not withdrawn from unseen.
    """
    preview = build_preview(importer, data)
    if preview.problems:
        raise ImportFailed(preview.problems)
    if preview.withdrawals and withdraw is not True:
        seen = [] if withdraw is False else withdraw
        unseen = [p for p in preview.withdrawals if p.as_dict() not in seen]
        if unseen:
            note = WITHDRAW_HINT if withdraw is False else "方案在预览之后又有变化，请重新上传文件并查看新的预览。"
            raise ImportFailed([*unseen, Problem(None, None, note)])
    if not dry_run:
        try:
            with cyclic_gc_paused(), transaction.atomic():
                importer.save(preview, user=user, remove_missing=remove_missing)
        except (DataError, IntegrityError):
            # A value the row checks let through but the database cannot hold: the transaction
            # is rolled back whole, so the user gets an error instead of a half-saved file or a 500.
            logger.exception("import refused by the database (%s)", type(importer).__name__)
            raise ImportFailed([Problem(None, None, DATABASE_REFUSED)]) from None
    return preview
