"""Issue 16's acceptance on the demo: export the master plan, drop one lead unit from a task, import it again."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import call_command

from campaign.models import Campaign
from core.xlsx import write_xlsx
from demo.loader import load_demo
from imports.engine import ImportFailed, run_import
from tasks.importers import TaskSheetImport, export_sheet
from tasks.models import Assignment, FollowUp, ProgressReport

pytestmark = pytest.mark.django_db


@pytest.mark.today("2026-11-18")
def test_dropping_a_lead_unit_from_the_demo_plan_keeps_every_report(tmp_path, capsys):
    load_demo(today=datetime.date(2026, 11, 18), reports=False)
    plan = Campaign.objects.get(slug="weishan-2024").plans.get(kind="master")
    # A task led by several units, one of which has reported on it.
    task = next(t for t in plan.tasks.order_by("position") if t.lead_units.count() > 1
                and ProgressReport.objects.filter(assignment__task=t).exists())
    dropped = next(u for u in task.lead_units.all()
                   if ProgressReport.objects.filter(assignment__task=task, assignment__unit=u).exists())
    buffer = io.BytesIO()
    write_xlsx(buffer, [export_sheet(plan)])
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = book.active
    header = next(r for r in sheet.iter_rows() if any(c.value == "牵头单位" for c in r))
    code_col = next(c.column for c in header if c.value == "序号")
    lead_col = next(c.column for c in header if c.value == "牵头单位")
    row = next(r for r in sheet.iter_rows(min_row=header[0].row + 1) if str(r[code_col - 1].value) == task.code)
    names = [n for n in str(row[lead_col - 1].value).split("、") if n not in (dropped.name, dropped.display_name)]
    row[lead_col - 1].value = "、".join(names)
    out = io.BytesIO()
    book.save(out)
    path = tmp_path / "plan.xlsx"
    path.write_bytes(out.getvalue())
    counts = (ProgressReport.objects.count(), FollowUp.objects.count())

    with pytest.raises(ImportFailed):  # not told to withdraw: refused, naming the row
        run_import(TaskSheetImport(plan), out.getvalue(), withdraw=False)
    with pytest.raises(SystemExit):
        call_command("import_tasks", str(path), campaign="weishan-2024")
    assert f"row {row[0].row}" in capsys.readouterr().err
    assert (ProgressReport.objects.count(), FollowUp.objects.count()) == counts

    preview = run_import(TaskSheetImport(plan), out.getvalue(), withdraw=True)
    assert preview.withdrawals and all(dropped.name in p.message for p in preview.withdrawals)
    assert (ProgressReport.objects.count(), FollowUp.objects.count()) == counts
    assert not Assignment.objects.filter(task=task, unit=dropped).exists()
    assert Assignment.all_objects.filter(task=task, unit=dropped, withdrawn_on__isnull=False).exists()
