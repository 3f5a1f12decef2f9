"""Importing real-shaped task lists: what is read, what is refused, and that nothing is half-written."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaign.choices import UnitKind
from campaign.models import Unit
from core.xlsx import write_xlsx
from imports.engine import ImportFailed, build_preview, run_import
from imports.reader import ReadError, read_workbook
from imports.units import UnitIndex
from tasks.importers import TaskSheetImport, export_sheet
from tasks.models import Assignment, Milestone, QuantifiedTarget, Task

from .. import spreadsheets as books
from ..factories import UnitFactory

pytestmark = pytest.mark.django_db
HEADER = ["序号", "具体任务", "牵头单位", "完成时限"]


def snapshot():
    return (Task.objects.count(), Milestone.objects.count(), Assignment.objects.count(),
            QuantifiedTarget.objects.count(), Task.history.count())


def fail(importer, data):
    before = snapshot()
    with pytest.raises(ImportFailed) as err:
        run_import(importer, data)
    assert snapshot() == before
    return [str(p) for p in err.value.problems]


@pytest.fixture
def importer(world):
    world.master.tasks.all().delete()  # start from an empty master plan
    return TaskSheetImport(world.master)


def test_real_shaped_sheet_is_read_as_it_is(world, importer):
    preview = run_import(importer, books.real_shaped_xlsx())
    assert preview.counts == {"new": 4, "changed": 0, "unchanged": 0}
    t1 = Task.objects.get(plan=world.master, text__startswith="健全重大事故隐患督办制度")
    assert t1.action_line.title == "开展重大事故隐患动态清零行动"
    assert t1.key_task.title == "完善督办制度"
    assert set(t1.lead_units.values_list("code", flat=True)) == {"dept-a"}
    assert set(t1.cooperating_units.values_list("code", flat=True)) == {"dept-b", "town"}
    assert list(t1.milestones.values_list("due_date", flat=True)) == [datetime.date(2024, 12, 31)]
    target = t1.targets.get()
    assert (target.comparator, {v.year: v.value for v in target.year_values.all()}) == ("gte", {2024: Decimal(80)})
    # Merged action cell and carried key work; the date cell; the number written in the text.
    t2 = Task.objects.get(plan=world.master, text__startswith="建立隐患数据库")
    assert t2.action_line == t1.action_line and t2.key_task == t1.key_task
    assert t2.milestones.get().due_date == datetime.date(2025, 6, 30)
    t3 = Task.objects.get(plan=world.master, text__startswith="对发现的问题隐患")
    assert t3.code == "3" and t3.key_task.title == "强化执法"
    assert t3.milestones.get().due_date == datetime.date(2025, 12, 31)
    t4 = Task.objects.get(plan=world.master, text__contains="四不")
    # "二、" asks for number 2; numbers already taken in the plan move new lines to the next free one.
    assert t4.action_line.title == "开展安全素质提升行动"
    assert len(set(world.master.action_lines.values_list("number", flat=True))) == world.master.action_lines.count()
    assert t4.key_task is None  # a new action line does not inherit the key work above it
    assert [m.year for m in t4.milestones.values_list("due_date", flat=True)] == [2024, 2025]
    values = {v.year: v.value for v in t4.targets.get().year_values.all()}
    assert values == {2024: Decimal(40), 2025: Decimal(50)}
    # Assignments exist for every milestone × unit, and history names the importer.
    assert Assignment.objects.filter(task=t1).count() == 3


def test_same_file_twice_changes_nothing(world, importer):
    data = books.real_shaped_xlsx()
    run_import(importer, data)
    before = snapshot()
    preview = run_import(importer, data)
    assert preview.counts == {"new": 0, "changed": 0, "unchanged": 4}
    assert snapshot() == before


def test_export_then_import_is_unchanged(world, importer, tmp_path):
    run_import(importer, books.real_shaped_xlsx())
    path = tmp_path / "export.xlsx"
    write_xlsx(path, [export_sheet(world.master)])
    total = Task.objects.filter(plan=world.master).count()
    preview = run_import(importer, path.read_bytes())
    assert preview.counts == {"new": 0, "changed": 0, "unchanged": total}


def test_commands_round_trip(world, importer, tmp_path, capsys):
    source = tmp_path / "list.xlsx"
    source.write_bytes(books.real_shaped_xlsx())
    call_command("import_tasks", str(source), "--campaign", world.campaign.slug)
    assert capsys.readouterr().out.strip().splitlines()[-1] == "created=4 updated=0 unchanged=0"
    out = tmp_path / "out.xlsx"
    call_command("export_tasks", "--campaign", world.campaign.slug, "--output", str(out))
    call_command("import_tasks", str(out), "--campaign", world.campaign.slug)
    total = Task.objects.filter(plan=world.master).count()
    assert capsys.readouterr().out.strip().splitlines()[-1] == f"created=0 updated=0 unchanged={total}"


def test_command_failure_prints_row_and_column_and_exits_non_zero(world, tmp_path, capsys):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(books.simple_xlsx(HEADER, [["1", "任务一", "县住建局", "2025年13月底前"]]))
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_tasks", str(bad), "--campaign", world.campaign.slug)
    assert exit_info.value.code != 0
    err = capsys.readouterr().err
    assert "row 2, column D:" in err and "13" in err


def test_corrected_file_shows_old_and_new_values_and_missing_tasks(world, importer):
    run_import(importer, books.simple_xlsx(HEADER, [["1", "任务一", "县住建局", "2024年底前"],
                                                    ["2", "任务二", "县应急局", "2025年底前"]]))
    preview = build_preview(importer, books.simple_xlsx(
        HEADER, [["1", "任务一（修改）", "县应急局", "2025年6月底前"], ["5", "新任务", "县应急局", ""]]
    ))
    rows = {r.code: r for r in preview.rows}
    assert rows["5"].status == "new"
    changes = {name: (old, new) for name, old, new in rows["1"].changes}
    assert changes["具体任务"] == ("任务一", "任务一（修改）")
    assert changes["牵头单位"] == ("县住房和城乡建设局", "县应急管理局")
    assert "2024-12-31" in changes["时间节点"][0] and "2025-06-30" in changes["时间节点"][1]
    assert [code for code, _ in preview.missing] == ["2"]
    # Kept unless the user asks to remove it.
    run_import(importer, books.simple_xlsx(HEADER, [["1", "任务一（修改）", "县应急局", "2025年6月底前"]]))
    assert Task.objects.filter(plan=world.master, code="2").exists()
    run_import(importer, books.simple_xlsx(HEADER, [["1", "任务一（修改）", "县应急局", "2025年6月底前"]]),
               remove_missing=True)
    assert not Task.objects.filter(plan=world.master, code="2").exists()


@pytest.mark.parametrize("maker", [books.xls_bytes, books.ods_bytes], ids=["xls", "ods"])
def test_xls_and_ods_are_read(world, importer, maker):
    preview = run_import(importer, maker(HEADER, [["7", "旧格式任务", "县住建局", "2025年底前"]]))
    assert preview.counts["new"] == 1
    assert Task.objects.get(plan=world.master, code="7").milestones.get().due_date == datetime.date(2025, 12, 31)


def test_formula_cells_use_the_saved_value(world, importer):
    data = books.simple_xlsx(HEADER, [["8", "placeholder", "县住建局", "2025年底前"]])
    data = books.with_formula_cached(data, "B2", 'CONCAT("公式","任务")', "公式任务")
    run_import(importer, data)
    assert Task.objects.get(plan=world.master, code="8").text == "公式任务"


def test_sub_plan_defaults_lead_to_its_unit(world):
    importer = TaskSheetImport(world.plan_a)
    run_import(importer, books.simple_xlsx(["序号", "具体任务", "完成时限"], [["9", "子方案任务", "2025年底前"]]))
    assert list(Task.objects.get(plan=world.plan_a, code="9").lead_units.all()) == [world.dept_a]


# ---- what bad input gets ---------------------------------------------------------------------------


def test_not_a_spreadsheet(importer):
    [message] = fail(importer, b"%PDF-1.4 renamed to xlsx")
    assert "不是 Excel 或 WPS 表格" in message


def test_password_protected(importer):
    [message] = fail(importer, books.encrypted_workbook())
    assert "密码" in message


def test_corrupt_workbook(importer):
    data = books.simple_xlsx(HEADER, [["1", "x", "县住建局", ""]])
    [message] = fail(importer, data[: len(data) // 2])
    assert "损坏" in message


def test_empty_sheet(importer):
    [message] = fail(importer, books.simple_xlsx([], []))
    assert "没有任何内容" in message


def test_missing_required_columns_names_them_and_their_synonyms(importer):
    [message] = fail(importer, books.simple_xlsx(["序号", "完成时限", "备注"], [["1", "2024年底前", ""]]))
    assert "具体任务" in message and "任务内容" in message
    [message] = fail(importer, books.simple_xlsx(["序号", "具体任务"], [["1", "x"]]))
    assert "牵头单位" in message and "责任单位" in message  # the master plan needs a lead unit


def test_unknown_unit_suggests_close_names(importer):
    [message] = fail(importer, books.simple_xlsx(HEADER, [["1", "x", "县住建", "2024年底前"]]))
    assert message.startswith("row 2, column C:") and "县住建" in message and "县住建局" in message


def test_duplicate_number_names_both_rows(importer):
    problems = fail(importer, books.simple_xlsx(HEADER, [["54", "甲", "县住建局", ""], ["54", "乙", "县住建局", ""]]))
    assert problems == ["row 3, column A: 任务编号“54”与第 2 行重复，同一方案内任务编号不能重复。"]


def test_impossible_and_out_of_campaign_dates(importer):
    problems = fail(importer, books.simple_xlsx(HEADER, [["1", "甲", "县住建局", "2025年13月底前"],
                                                         ["2", "乙", "县住建局", "2027-03-31"]]))
    assert problems[0].startswith("row 2, column D:") and "13" in problems[0]
    assert problems[1].startswith("row 3, column D:") and "不在三年行动期内" in problems[1]


def test_file_over_the_size_limit(importer, settings):
    settings.IMPORT_MAX_BYTES = 1000
    [message] = fail(importer, books.real_shaped_xlsx())
    assert "超过" in message


def test_zip_bomb_and_entity_declarations_are_refused(importer):
    [message] = fail(importer, books.zip_bomb())
    assert "解压后体积异常" in message
    [message] = fail(importer, books.with_entity_declaration(books.simple_xlsx(HEADER, [["1", "x", "县住建局", ""]])))
    assert "不安全的 XML" in message


@pytest.mark.parametrize("padding, encoding", [
    (" " * 10_000, ""),  # past any fixed look-ahead
    ("<!-- <root> a comment that looks like an element --> \n" * 200, ""),
    ("", "utf-16"), ("", "utf-16-le"), ("", "utf-16-be"), ("", "utf-32"), ("\n" * 5000, "utf-16"),
])
def test_entity_declarations_are_refused_whatever_the_padding_or_encoding(importer, padding, encoding):
    data = books.with_entity_declaration(books.simple_xlsx(HEADER, [["1", "x", "县住建局", ""]]), padding=padding,
                                         encoding=encoding)
    [message] = fail(importer, data)
    assert "不安全的 XML" in message


def test_a_prolog_with_comments_and_no_declaration_is_read(importer):
    from imports.reader import _prolog_declares

    prolog = '<?xml version="1.0"?>\n<!-- <!DOCTYPE inside a comment is only text> -->\n<worksheet/>'
    for encoding in ("utf-8", "utf-16", "utf-32-be"):
        assert not _prolog_declares(io.BytesIO(prolog.encode(encoding)), chunk=7)
    assert _prolog_declares(io.BytesIO(("<?xml version='1.0'?>" + " " * 50 + "<!ENTITY x 'y'><a/>").encode()), chunk=5)


def test_reader_refuses_empty_bytes():
    with pytest.raises(ReadError):
        read_workbook(b"")


def test_every_problem_is_listed_at_once(importer):
    problems = fail(importer, books.simple_xlsx(HEADER, [
        ["1", "甲", "县不存在局", "2025年底前"], ["", "乙", "县住建局", ""], ["3", "丙", "县住建局", "明年"],
    ]))
    assert len(problems) == 3
    assert [p.split(":")[0] for p in problems] == ["row 2, column C", "row 3, column A", "row 4, column D"]


def test_export_cells_starting_with_formula_characters_stay_text(world, tmp_path):
    task = world.task_a
    task.text = "=1+1 看起来像公式"
    task.save()
    path = tmp_path / "x.xlsx"
    write_xlsx(path, [export_sheet(world.master)])
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
    cells = [c for row in book.active.iter_rows() for c in row if c.value == "=1+1 看起来像公式"]
    assert cells and cells[0].data_type == "s"


def test_ezhou_shaped_table(world):
    """The Ezhou notice's table: 内容 / 重点工作 / 年度量化目标任务, numbers inside the text, merged columns."""
    data = books.simple_xlsx(
        ["内容", "重点工作", "年度量化目标任务"],
        [
            ["阶段性目标", "到2024年底,治本攻坚行动涉及的十大行动", "1.行业领域企业覆盖率达到100%"],
            [None, None, "2各行业领域监督检查率达到100%"],
            [None, None, "6.企业员工应知应会知识抽查知晓率达到80%以上"],
            ["主体责任提升行动", "落实安全生产主体责任提升行动", "7.建立《全员安全生产责任清单》"],
            [None, "建立健全并落实全员安全生产责任制", "11.所有行业所有企100%建立健全安全生产责任制"],
        ],
        title_rows=[["附件:"], ["鄂州市安全生产治本攻坚三年行动2024年"], ["量化目标任务"]],
    )
    preview = run_import(TaskSheetImport(world.plan_a), data)
    assert preview.counts["new"] == 4 and preview.counts["changed"] == 1  # the sub-plan already had task 1
    t2 = Task.objects.get(plan=world.plan_a, code="2")
    assert t2.text == "各行业领域监督检查率达到100%"
    assert t2.action_line.title == "阶段性目标" and t2.key_task.title == "到2024年底,治本攻坚行动涉及的十大行动"
    t6 = Task.objects.get(plan=world.plan_a, code="6")
    assert t6.targets.get().metric == "企业员工应知应会知识抽查知晓率"
    t11 = Task.objects.get(plan=world.plan_a, code="11")
    assert t11.key_task.title == "建立健全并落实全员安全生产责任制"
    assert list(t11.lead_units.all()) == [world.dept_a]  # a sub-plan's own unit leads by default


def test_bulk_columns_match_the_models():
    from tasks.importers import COLUMNS_OF

    for model, columns in COLUMNS_OF.items():
        assert sorted(columns) == sorted(f.column for f in model._meta.concrete_fields), model


def test_cells_read_through_the_parsing_child_keep_their_values_and_types():
    """Repeated texts and dates come back shared (the child's answer is smaller); numbers keep their own types."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("表")
    day = datetime.datetime(2024, 5, 1)
    dated = book.add_format({"num_format": "yyyy-mm-dd"})
    for r in range(3):
        sheet.write_string(r, 0, "县住建局")
        sheet.write_number(r, 1, [1, 1.5, 0][r])
        sheet.write_boolean(r, 2, [True, False, True][r])
        sheet.write_datetime(r, 3, day, dated)
    book.close()
    rows = read_workbook(buffer.getvalue())[0].rows
    assert [row[0] for row in rows] == ["县住建局"] * 3 and rows[0][0] is rows[2][0]
    assert [row[1] for row in rows] == [1, 1.5, 0] and [row[2] for row in rows] == [True, False, True]
    assert [type(row[2]) for row in rows] == [bool] * 3 and type(rows[1][1]) is float
    assert {row[3] for row in rows} == {rows[0][3]} and rows[0][3] in (day, day.date())


def test_units_are_read_from_the_campaigns_own_tree_only(world, importer):
    """Another county's units are not even read; a unit switched off takes its own units out of reach."""
    other_office = UnitFactory(code="other-office", name="另一县安委办", kind=UnitKind.OFFICE)
    UnitFactory(code="other-dept", name="另一县住房和城乡建设局", short_name="另一县住建局", parent=other_office)
    zone = UnitFactory(code="zone", name="经济开发区管委会", kind=UnitKind.ZONE, parent=world.office)
    inner = UnitFactory(code="zone-team", name="开发区安监队", parent=zone)

    index = UnitIndex(world.campaign)
    codes = {u.code for u in index.units}
    assert codes == {"office", "dept-a", "dept-b", "town", "zone", "zone-team"}
    assert index.resolve("县住建局、开发区安监队、另一县住建局") == ([world.dept_a, inner], ["另一县住建局"])

    with CaptureQueriesContext(connection) as captured:
        UnitIndex(world.campaign)
    assert [q["sql"] for q in captured if "campaign_unit" in q["sql"] and "WITH RECURSIVE" not in q["sql"]] == [], (
        "units are read through the tree query only")

    zone.is_active = False
    zone.save()
    assert {u.code for u in UnitIndex(world.campaign).units} == {"office", "dept-a", "dept-b", "town"}

    # A loop entered past the admin's checks (the office below one of its own units) still ends.
    zone.is_active = True
    zone.save()
    Unit.objects.filter(pk=world.office.pk).update(parent=inner)
    world.master.campaign.office.refresh_from_db()
    assert {u.code for u in UnitIndex(world.campaign).units} == codes
