"""The bulk writer behind the imports (campaign/importing/bulk.py)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from campaign.models import Unit
from core.db import CopyWriter, allocate_ids, insert_with_history

pytestmark = pytest.mark.django_db(transaction=True)

COLUMNS = ["id", "code", "name", "short_name", "aliases", "kind", "parent_id", "sort_order", "is_active"]


def rows(codes, parent):
    return [(pk, code, f"单位{code}", "", "", "department", parent.pk, n, True)
            for n, (pk, code) in enumerate(zip(allocate_ids(Unit, len(codes)), codes, strict=True))]


def test_rows_written_in_the_background_are_in_the_transaction_with_their_history(world):
    parent = world.office
    with transaction.atomic():
        first = rows(["w-1", "w-2", "w-3"], parent)
        with CopyWriter() as writer:
            insert_with_history(Unit, COLUMNS, first[:2], user=None, insert=writer.insert)
            writer.insert(Unit, COLUMNS, first[2:])
        assert Unit.objects.filter(code__startswith="w-").count() == 3
    assert set(Unit.objects.filter(code__startswith="w-").values_list("code", flat=True)) == {"w-1", "w-2", "w-3"}
    assert Unit.history.filter(code__in=["w-1", "w-2"], history_type="+").count() == 2


def test_a_query_inside_the_block_waits_for_the_rows_before_it(world):
    with transaction.atomic():
        with CopyWriter() as writer:
            writer.insert(Unit, COLUMNS, rows(["q-1"], world.office))
            assert Unit.objects.filter(code="q-1").exists()  # not run on the connection while the COPY is
            writer.insert(Unit, COLUMNS, rows(["q-2"], world.office))  # ids reserved inside: waits, then goes on
        assert Unit.objects.filter(code__startswith="q-").count() == 2


def test_a_refused_row_arrives_as_djangos_error_and_nothing_is_kept(world):
    parent = world.office
    before = Unit.objects.count()
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            batch = rows(["dup-1", world.office.code, "dup-2"], parent)  # the office's code is taken
            with CopyWriter() as writer:
                writer.insert(Unit, COLUMNS, batch[:1])
                writer.insert(Unit, COLUMNS, batch[1:2])
                writer.insert(Unit, COLUMNS, batch[2:])  # refused, or skipped: the transaction is lost
    assert Unit.objects.count() == before
    assert not Unit.objects.filter(code__startswith="dup-").exists()


def test_history_with_m2m_links_is_refused_inside_a_writers_block(world):
    with CopyWriter() as writer, pytest.raises(ValueError):
        insert_with_history(Unit, COLUMNS, [], user=None, insert=writer.insert, m2m={"x": []})
