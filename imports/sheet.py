"""Finding the header in a real sheet and turning the rows below it into cleaned cell values."""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from .parsing import to_halfwidth

HEADER_SCAN_ROWS = 25


@dataclass(frozen=True)
class Column:
    """A field of a kind of sheet and the header words that name it."""

    name: str
    label: str  # the header the template uses
    synonyms: tuple[str, ...]
    required: bool = False
    fill_down: bool = False  # an empty cell carries the value above (cells merged down a column)
    fill_within: str | None = None  # ...but not past a new value in this other fill-down column


@dataclass
class Problem:
    row: int | None  # the spreadsheet's own row number
    column: str | None  # the column letter
    message: str

    def __str__(self):
        if self.row and self.column:
            return f"row {self.row}, column {self.column}: {self.message}"
        if self.row:
            return f"row {self.row}: {self.message}"
        return self.message

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Row:
    number: int  # the spreadsheet's own row number
    cells: dict[str, object]  # field name → value
    columns: dict[str, str] = field(default_factory=dict)  # field name → column letter


def norm_header(value) -> str:
    text = to_halfwidth(str(value or ""))
    text = re.sub(r"\s+", "", text)
    return text.replace("(", "（").replace(")", "）").strip("*：:")


# Control characters other than tab and newline: invisible junk from copy-paste (and NUL, which
# PostgreSQL refuses to store). A lone carriage return is a line break.
_CONTROL = {c: None for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)} | {0x0D: "\n"}


_DIRTY = re.compile("[\x00-\x08\x0b-\x1f\x7f\u3000]")


def clean_cell(value):
    """Strings stripped, without control characters; dates and numbers kept as they are."""
    if type(value) is str:
        # Most cells are printable through and through (a quick check in C): only the others are searched for
        # junk, and only those with junk pay for the translation.
        if not value.isprintable() and _DIRTY.search(value):
            value = value.replace("\r\n", "\n").translate(_CONTROL).replace("\u3000", " ")
        return value.strip() or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (datetime.datetime, datetime.date, int, float)):
        return value
    return None if value is None else str(value).strip() or None


@functools.cache
def _names(column: Column) -> frozenset[str]:
    return frozenset(norm_header(s) for s in (column.label, *column.synonyms))


def _match(header: str, columns: list[Column]) -> Column | None:
    if not header:
        return None
    for column in columns:
        if header in _names(column):
            return column
    # "完成时限（时间节点）", "牵头单位（部门）": the words before the bracket
    base = header.split("（")[0]
    for column in columns:
        if base and base in _names(column):
            return column
    return None


def find_header(rows: list[list], columns: list[Column]) -> tuple[int, dict[int, Column]] | None:
    """(index of the last header row, column index → Column), allowing a header over two rows."""
    best: tuple[int, int, dict[int, Column]] | None = None
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found = {}
        for col, value in enumerate(row):
            column = _match(norm_header(value), columns)
            if column and column not in found.values():
                found[col] = column
        if len(found) >= 2 and (best is None or len(found) > best[1]):
            best = (index, len(found), found)
    if best is None:
        return None
    index, _, found = best
    # A second header row below ("责任分工" over 牵头单位 / 配合单位), or above (the same, seen from below).
    for other in (index + 1, index - 1):
        if 0 <= other < len(rows):
            extra = {}
            for col, value in enumerate(rows[other]):
                column = _match(norm_header(value), columns)
                if column and column not in found.values() and column not in extra.values():
                    extra[col] = column
            if extra:
                merged = dict(found)
                for col, column in extra.items():
                    merged[col] = column
                return max(index, other), merged
    return index, found


def data_rows(rows: list[list], header_index: int, mapping: dict[int, Column]) -> list[Row]:
    """Rows below the header as field → value, with fill-down columns carried over empty cells."""
    result: list[Row] = []
    carried: dict[str, object] = {}
    letters = {column.name: get_column_letter(col + 1) for col, column in mapping.items()}
    fields = [(col, column.name) for col, column in mapping.items()]
    fills = any(column.fill_down for column in mapping.values())
    for index in range(header_index + 1, len(rows)):
        raw = rows[index]
        width = len(raw)
        cells = {name: clean_cell(raw[col]) if col < width else None for col, name in fields}
        if not any(v is not None for v in cells.values()):
            continue
        if not fills:
            result.append(Row(index + 1, cells, letters))
            continue
        fresh = {c.name for c in mapping.values() if c.fill_down and cells[c.name] is not None
                 and cells[c.name] != carried.get(c.name)}
        for column in mapping.values():
            if not column.fill_down:
                continue
            if cells[column.name] is None:
                if column.fill_within in fresh:
                    carried.pop(column.name, None)
                cells[column.name] = carried.get(column.name)
            else:
                carried[column.name] = cells[column.name]
        result.append(Row(index + 1, cells, letters))
    return result


def missing_columns(mapping: dict[int, Column], required: list[Column]) -> list[Column]:
    present = set(mapping.values())
    return [c for c in required if c not in present]


def describe_columns(columns: list[Column]) -> str:
    return "；".join(f"{c.label}（也可写作：{'、'.join(c.synonyms)}）" for c in columns)
