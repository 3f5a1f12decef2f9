"""Finding a campaign's units by the names people write in a sheet: full names, short names, codes, aliases,
several in one cell, and group words such as "各乡镇（街道）"."""

from __future__ import annotations

import difflib
import functools
import re

from campaign.choices import UnitKind
from campaign.models import Campaign, Unit, split_aliases, unit_tree

from .parsing import to_halfwidth

TOWNSHIP_GROUPS = {"各乡镇（街道）", "各乡镇", "各镇街", "各乡镇街道", "各镇（街道）", "各街道", "各乡镇（街道）开发区"}
_SPLIT_UNITS = re.compile(r"[、，,;；/\n]+|\s{2,}")


@functools.lru_cache(maxsize=8192)
def normalise_name(text: str) -> str:
    # Names repeat down a sheet (units, industries, states): a ledger of 100,000 rows has a few hundred.
    return re.sub(r"\s+", "", to_halfwidth(text)).replace("(", "（").replace(")", "）")


class UnitIndex:
    """Every unit of the campaign's jurisdiction under each name it goes by."""

    def __init__(self, campaign: Campaign):
        root = campaign.office
        units = list(unit_tree(root, own=True).filter(is_active=True))
        children: dict[int | None, list[Unit]] = {}
        for unit in units:
            children.setdefault(unit.parent_id, []).append(unit)
        scope, stack, seen = [], [root], set()
        while stack:
            unit = stack.pop()
            if unit.pk in seen:  # the office itself, if a parent loop leads back to it
                continue
            seen.add(unit.pk)
            scope.append(unit)
            stack.extend(children.get(unit.pk, []))
        self.units = scope
        self.by_name: dict[str, Unit] = {}
        for unit in scope:
            for name in (unit.code, unit.name, unit.short_name, *split_aliases(unit.aliases)):
                if name:
                    self.by_name.setdefault(normalise_name(name), unit)
        self.townships = [u for u in scope if u.kind in (UnitKind.TOWNSHIP, UnitKind.ZONE)]
        self._resolved: dict[str, tuple[list[Unit], list[str]]] = {}

    def resolve(self, cell) -> tuple[list[Unit], list[str]]:
        """Units named in a cell, and the names that match no unit (cells repeat, so answers are kept)."""
        key = str(cell or "")
        if key not in self._resolved:
            self._resolved[key] = self._resolve(key)
        found, unknown = self._resolved[key]
        return list(found), list(unknown)

    def _resolve(self, cell: str) -> tuple[list[Unit], list[str]]:
        found, unknown = [], []
        for part in _SPLIT_UNITS.split(str(cell or "")):
            name = normalise_name(part).removesuffix("等").removesuffix("牵头")
            if not name:
                continue
            if name in TOWNSHIP_GROUPS:
                found.extend(self.townships)
            elif name in self.by_name:
                found.append(self.by_name[name])
            else:
                unknown.append(part.strip())
        return list(dict.fromkeys(found)), unknown

    def suggest(self, name: str) -> list[str]:
        names = {u.name for u in self.units} | {u.short_name for u in self.units if u.short_name}
        return difflib.get_close_matches(normalise_name(name), sorted(names), n=3, cutoff=0.4)
