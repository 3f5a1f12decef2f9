"""The kinds of sheet the engine reads. Each app that owns a kind (tasks: 任务清单, hazards: 隐患台账) registers it
when Django starts (its ``AppConfig.ready``), so the engine below never imports the apps built on it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .engine import Preview
    from .models import ImportBatch
    from .sheet import Column, Problem, Row


class SheetImport(Protocol):
    """What the engine asks of a kind of sheet (see imports/engine.py for the order it asks in)."""

    columns: list[Column]

    def required_columns(self) -> list[Column]: ...

    def parse(self, rows: list[Row]) -> tuple[list, list[Problem]]: ...

    def compare(self, specs: list) -> Preview: ...

    def save(self, preview: Preview, *, user, remove_missing: bool = False) -> None: ...


@dataclass(frozen=True)
class SheetKind:
    name: str  # stored on ImportBatch.kind
    label: str  # what the upload field and the import history call the file, e.g. "任务清单"
    importer: Callable[[ImportBatch], SheetImport]
    may_confirm: Callable[[object, ImportBatch], bool]  # (user, batch): may this user save the upload?


_kinds: dict[str, SheetKind] = {}


def register(kind: SheetKind) -> None:
    _kinds[kind.name] = kind


def kind_of(name: str) -> SheetKind:
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(f"no sheet kind {name!r} is registered (is its app in INSTALLED_APPS?)") from None
