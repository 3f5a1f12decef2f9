"""The ledger import writes in bulk and still keeps history: who created each hazard, and every later change."""

import datetime

import pytest

from hazards.importers import HAZARD_COLUMNS, HazardSheetImport
from hazards.models import Enterprise, MajorHazard
from imports.engine import run_import

from .. import spreadsheets as books
from .test_ledger import HEADER, ledger

pytestmark = pytest.mark.django_db


def test_columns_of_the_bulk_insert_match_the_model():
    assert sorted(HAZARD_COLUMNS) == sorted(f.column for f in MajorHazard._meta.concrete_fields)


def test_new_hazards_and_enterprises_carry_a_created_record_naming_the_importer(world, users):
    run_import(HazardSheetImport(world.campaign), ledger(rows=5), user=users["office"])
    assert MajorHazard.objects.count() == 5 and Enterprise.objects.count() == 5
    for model in (MajorHazard, Enterprise):
        records = model.history.all()
        assert records.count() == 5
        assert {(r.history_type, r.history_user_id) for r in records} == {("+", users["office"].pk)}
    assert set(MajorHazard.objects.values_list("created_by_id", flat=True)) == {users["office"].pk}


def test_a_changed_row_is_updated_with_its_history_and_the_rest_left_alone(world, users):
    run_import(HazardSheetImport(world.campaign), ledger(rows=5), user=users["office"])
    rows = []
    for n in range(5):
        from hazards.validators import make_credit_code

        rows.append([str(n + 1), f"企业{n}", make_credit_code(f"91370826{n + 1:08d}"), "某某镇",
                     ["燃气", "消防", "危化品"][n % 3], "县应急局", f"隐患描述{n}", "判定标准第3条", "执法检查",
                     f"2024年{n % 12 + 1}月1日", "2025年6月30日" if n == 1 else "2024年12月31日", "张三",
                     "市级" if n % 10 == 0 else "否", "已销号" if n % 3 == 0 else "整改中",
                     "2024-11-30" if n % 3 == 0 else ""])
    preview = run_import(HazardSheetImport(world.campaign), books.simple_xlsx(HEADER, rows), user=users["leader"])
    assert preview.counts == {"new": 0, "changed": 1, "unchanged": 4}
    changed = MajorHazard.objects.get(description="隐患描述1")
    assert changed.deadline == datetime.date(2025, 6, 30)
    last = changed.history.order_by("-history_id").first()
    assert last.history_type == "~" and last.history_user_id == users["leader"].pk
    assert MajorHazard.history.filter(history_type="~").count() == 1
