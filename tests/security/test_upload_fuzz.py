"""Hostile and broken spreadsheets against the import engine (property-based), and formula-safe exports.

Whatever bytes arrive, the engine answers with a preview or with problems written in Chinese; it
never raises anything else, never takes the process down, and a refused confirmation writes
nothing. The bases are the valid workbooks of ``tests/spreadsheets.py`` (.xlsx, .xls, .ods), cut
short, bit-flipped, padded with junk or with their zip members swapped; random bytes; zips with the
wrong members; workbooks claiming enormous dimensions; and generated sheets full of formulas, dates
out of range, very long cells and control characters.

Examples are derandomised so CI sees the same ones every run; ``FUZZ_EXAMPLES=2000`` explores more
(with fresh random examples) on a developer's machine.
"""

from __future__ import annotations

import datetime
import functools
import io
import os
import re
import zipfile

import openpyxl
import pytest
import xlsxwriter
from django.apps import apps
from django.db import DataError, transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.utils.escape import unescape

from core.xlsx import write_xlsx
from hazards.importers import COLUMNS as HAZARD_COLUMNS
from hazards.importers import HazardSheetImport
from hazards.importers import export_sheet as hazard_export
from hazards.models import Enterprise, MajorHazard
from hazards.validators import make_credit_code
from imports.engine import ImportFailed, Preview, build_preview, run_import
from imports.reader import ReadError, read_workbook
from tasks.importers import TaskSheetImport
from tasks.importers import export_sheet as task_export

from .. import spreadsheets as books
from ..factories import KeyTaskFactory, make_task

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")]

EXPLORE = int(os.environ.get("FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=EXPLORE or 40,
    deadline=None,
    derandomize=not EXPLORE,
    database=None,  # no .hypothesis/ directory in the repository
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.large_base_example],
)
CHINESE = re.compile(r"[\u4e00-\u9fff]")

# ---------------------------------------------------------------------------------------------------------------
# Valid workbooks to start from

TASK_HEADER = ["序号", "具体任务", "牵头单位", "配合单位", "完成时限", "量化目标"]
TASK_ROWS = [
    ["1", "健全督办制度，知晓率达到80%以上。", "县住建局", "县应急局、某某镇", "2024年底前", ""],
    ["2", "建立隐患数据库。", "县应急管理局", "", "2025年6月底前", "覆盖率 ≥ 90%(2024) / 100%(2025)"],
]
HAZARD_HEADER = [c.label for c in HAZARD_COLUMNS]


def hazard_rows(n=2):
    return [
        [str(i + 1), f"企业{i}", make_credit_code(f"91370826{i + 1:08d}"), "某某镇", "燃气", "县应急局", f"隐患{i}",
         "判定标准第3条", "执法检查", "2024年3月1日", "2024年12月31日", "张三", "否", "整改中", ""]
        for i in range(n)
    ]


@functools.cache
def task_bases() -> tuple[bytes, ...]:
    return (
        books.real_shaped_xlsx(),
        books.simple_xlsx(TASK_HEADER, TASK_ROWS, title_rows=[["某县任务清单"]]),
        books.xls_bytes(TASK_HEADER, TASK_ROWS),
        books.ods_bytes(TASK_HEADER, TASK_ROWS),
    )


@functools.cache
def hazard_bases() -> tuple[bytes, ...]:
    return (
        books.simple_xlsx(HAZARD_HEADER, hazard_rows(), title_rows=[["某县重大事故隐患台账"]]),
        books.xls_bytes(HAZARD_HEADER, hazard_rows()),
        books.ods_bytes(HAZARD_HEADER, hazard_rows()),
    )


def rezip(data: bytes, change) -> bytes:
    """The zip ``data`` with its members passed through ``change(name, content) -> [(name, content), ...]``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            for name, content in change(item.filename, source.read(item.filename)):
                target.writestr(name, content)
    return out.getvalue()


def sheet_xml(name: str) -> bool:
    return name.startswith("xl/worksheets/") or name == "content.xml"


# ---------------------------------------------------------------------------------------------------------------
# Strategies: broken files


@st.composite
def byte_damage(draw, data: bytes) -> bytes:
    """Cut short, flipped bits, junk inserted or a slice removed — one or a few times."""
    for _ in range(draw(st.integers(1, 3))):
        size = len(data)
        kind = draw(st.sampled_from(["truncate", "flip", "insert", "delete"]))
        at = draw(st.integers(0, max(size - 1, 0)))
        if kind == "truncate":
            data = data[:at]
        elif kind == "flip":
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:] if data else data
        elif kind == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
        else:
            data = data[:at] + data[at + draw(st.integers(1, 512)):]
    return data


@st.composite
def member_damage(draw, data: bytes) -> bytes:
    """A valid .xlsx/.ods with one member dropped, emptied, cut, replaced by junk, renamed or doubled."""
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    victim = draw(st.sampled_from(names))
    kind = draw(st.sampled_from(["drop", "empty", "cut", "junk", "rename", "double", "xml-junk"]))
    junk = draw(st.binary(max_size=200))
    cut = draw(st.integers(0, 400))

    def change(name, content):
        if name != victim:
            return [(name, content)]
        return {
            "drop": [],
            "empty": [(name, b"")],
            "cut": [(name, content[:cut])],
            "junk": [(name, junk)],
            "rename": [(name + ".bak", content)],
            "double": [(name, content), (name, junk)],
            "xml-junk": [(name, content.replace(b">", b">" + junk.replace(b"<", b""), 1))],
        }[kind]

    return rezip(data, change)


@st.composite
def huge_claims(draw, data: bytes) -> bytes:
    """A sheet that claims (or really has) cells far away: the parser must not exhaust memory."""
    row = draw(st.sampled_from([300, 70_000, 1_048_576]))
    col = draw(st.sampled_from(["C", "AZ", "XFD"]))
    repeat_rows = draw(st.sampled_from([2, 5000, 1_048_576]))
    repeat_cols = draw(st.sampled_from([2, 1024, 16384]))

    def change(name, content):
        if name.startswith("xl/worksheets/"):
            text = content.decode()
            text = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{col}{row}"/>', text)
            text = text.replace("</sheetData>", f'<row r="{row}"><c r="{col}{row}" t="inlineStr"><is><t>x</t></is>'
                                                f"</c></row></sheetData>")
            return [(name, text.encode())]
        if name == "content.xml":
            text = content.decode().replace(
                "</table:table>",
                f'<table:table-row table:number-rows-repeated="{repeat_rows}"><table:table-cell '
                f'table:number-columns-repeated="{repeat_cols}" office:value-type="string"><text:p>x</text:p>'
                f"</table:table-cell></table:table-row></table:table>",
            )
            return [(name, text.encode())]
        return [(name, content)]

    return rezip(data, change)


@st.composite
def wrong_zip(draw) -> bytes:
    """A zip whose members are not (all) what a workbook holds, sometimes with the right names."""
    names = st.sampled_from(["xl/workbook.xml", "[Content_Types].xml", "mimetype", "content.xml",
                             "xl/worksheets/sheet1.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml",
                             "_rels/.rels", "xl/workbook.bin", "../../evil.txt", "/etc/passwd", "a" * 200])
    contents = st.one_of(
        st.binary(max_size=300),
        st.just(b"application/vnd.oasis.opendocument.spreadsheet"),
        st.just(b'<?xml version="1.0"?><workbook><sheets><sheet name="x" sheetId="1" r:id="rId1"/></sheets>'
                b"</workbook>"),
        st.just(b"<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row></sheetData></worksheet>"),
        st.text(max_size=200).map(str.encode),
    )
    members = draw(st.lists(st.tuples(names, contents), min_size=0, max_size=6))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))) as archive:
        for name, content in members:
            archive.writestr(name, content)
    return out.getvalue()


def broken_files(bases) -> st.SearchStrategy[bytes]:
    base = st.sampled_from(bases())
    zipped = st.sampled_from([b for b in bases() if b.startswith(b"PK")])
    return st.one_of(
        base.flatmap(byte_damage),
        zipped.flatmap(member_damage),
        zipped.flatmap(huge_claims),
        wrong_zip(),
        st.binary(max_size=2048),
        st.binary(max_size=2048).map(lambda b: b"PK\x03\x04" + b),
        st.binary(max_size=2048).map(lambda b: books.encrypted_workbook()[:512] + b),
    )


# ---------------------------------------------------------------------------------------------------------------
# Strategies: well-formed workbooks with hostile cells

FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r", "\n"]
NASTY_TEXT = st.one_of(
    st.sampled_from([
        "=1+1", "+1", "-1", "@SUM(A1)", '=HYPERLINK("http://example.com","点我")', "=cmd|' /C calc'!A0", "\t=1",
        "\r\n=1", "２０２４年底前", "2024年13月底前", "2024年2月30日", "0000.00.00", "9999年底前", "10000年12月31日",
        "2024-00-10", "2024.2.29", "2023.2.29", "县住建局、不存在局", "某某镇", "县应急局", "各乡镇（街道）", "无", "—",
        "覆盖率 ≥ 100%(2024)", "覆盖率 ≥ 99999999999999999999999999%(2024)", "覆盖率 ≥ 1.5.5%(2024)",
        "知晓率80%以上", "不少于30人", "1.", "1-2-3", "00000000000000000000001", "危化品", "市级", "已销号", "待销号",
        "\x00", "a\x00b", "\x1b[31m", "\ufeff序号", "\u202e", "\U0001f600",
    ]),
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x1F), min_size=1, max_size=10),
    st.integers(200, 40_000).map(lambda n: "超" * n),
    st.tuples(st.sampled_from(FORMULA_STARTS), st.text(max_size=20)).map("".join),
)
# (kind, value): how the generator writes it
CELL = st.one_of(
    NASTY_TEXT.map(lambda v: ("text", v)),
    st.integers(-(2**63), 2**63).map(lambda v: ("number", v)),
    st.floats(allow_nan=True, allow_infinity=True).map(lambda v: ("number", v)),
    st.booleans().map(lambda v: ("bool", v)),
    st.datetimes(min_value=datetime.datetime(1900, 3, 1), max_value=datetime.datetime(9999, 12, 31))
    .map(lambda v: ("date", v)),
    st.sampled_from([-1e9, -1, 0, 0.5, 2958466, 2958467, 1e10, 1e300]).map(lambda v: ("date-serial", v)),
    st.tuples(st.sampled_from(["=1/0", "=A1", "=NOW()", "=SUM(1,2)", '="x"&"y"']), NASTY_TEXT)
    .map(lambda v: ("formula", v)),
    st.just(("blank", None)),
)


def hostile_workbook(header: list[str], plausible: list[list[str]]) -> st.SearchStrategy[bytes]:
    """A real .xlsx with the sheet's header and rows mixing plausible and hostile cells."""

    @st.composite
    def build(draw):
        rows = []
        for template in draw(st.lists(st.sampled_from(plausible), min_size=1, max_size=4)):
            rows.append([draw(st.one_of(st.just(("text", value)), CELL)) for value in template])
        title = draw(st.booleans())
        merge = draw(st.none() | st.tuples(st.integers(0, 4), st.integers(0, len(header) - 1), st.integers(1, 3)))
        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False, "nan_inf_to_errors": True})
        sheet = book.add_worksheet("清单")
        dates = book.add_format({"num_format": "yyyy-mm-dd"})
        first = 0
        if title:
            sheet.write_string(0, 0, "某县安全生产治本攻坚三年行动")
            first = 1
        for col, name in enumerate(header):
            sheet.write_string(first, col, name)
        for r, values in enumerate(rows, start=first + 1):
            for c, (kind, value) in enumerate(values):
                if kind == "text":
                    sheet.write_string(r, c, value)
                elif kind == "number":
                    sheet.write_number(r, c, value)
                elif kind == "bool":
                    sheet.write_boolean(r, c, value)
                elif kind == "date":
                    sheet.write_datetime(r, c, value, dates)
                elif kind == "date-serial":
                    sheet.write_number(r, c, value, dates)
                elif kind == "formula":
                    sheet.write_formula(r, c, value[0], None, value[1])
        if merge:
            row, col, height = merge
            row += first + 1
            sheet.merge_range(row, col, row + height, col, "合并的单元格")
        book.close()
        return out.getvalue()

    return build()


# ---------------------------------------------------------------------------------------------------------------
# The property


def written_rows() -> dict[str, int]:
    """Rows of every table an import could touch, history included."""
    return {model._meta.label: model.objects.count()
            for label in ("campaign", "tasks", "hazards") for model in apps.get_app_config(label).get_models()}


def assert_clear(problems) -> None:
    assert problems
    for problem in problems:
        assert CHINESE.search(problem.message), f"not a message for people: {problem.message!r}"


def answers_properly(importer_factory, data: bytes, user) -> Preview:
    """The property: a preview or Chinese problems; a refused confirmation writes nothing; a saved one sticks."""
    preview = build_preview(importer_factory(), data)
    assert isinstance(preview, Preview)
    if preview.problems:
        assert_clear(preview.problems)
    else:
        assert preview.rows, "a preview without problems shows at least one row"
        assert sum(preview.counts.values()) == len(preview.rows)
    before = written_rows()
    with transaction.atomic():
        try:
            run_import(importer_factory(), data, user=user)
        except ImportFailed as failed:
            assert preview.problems, "the preview was clean but the confirmation failed"
            assert_clear(failed.problems)
            assert written_rows() == before, "a refused import wrote something"
        else:
            assert not preview.problems
            again = build_preview(importer_factory(), data)
            assert not again.problems and {r.status for r in again.rows} == {"unchanged"}, (
                "uploading the same file again would change something", again.as_dict())
        transaction.set_rollback(True)  # every example starts from the same database
    return preview


@FUZZ
@given(data=broken_files(task_bases))
@example(data=b"")
@example(data=b"PK\x03\x04")
@example(data=books.zip_bomb())
@example(data=books.with_entity_declaration(books.real_shaped_xlsx()))
@example(data=books.with_entity_declaration(books.real_shaped_xlsx(), padding=" " * 5000))
@example(data=books.with_entity_declaration(books.real_shaped_xlsx(), encoding="utf-16"))
@example(data=books.with_entity_declaration(books.real_shaped_xlsx(), encoding="utf-32-be"))
def test_task_import_answers_any_file_clearly(world, users, data):
    answers_properly(lambda: TaskSheetImport(world.master), data, users["office"])


@FUZZ
@given(data=broken_files(hazard_bases))
def test_hazard_import_answers_any_file_clearly(world, users, data):
    answers_properly(lambda: HazardSheetImport(world.campaign), data, users["office"])


@FUZZ
@given(data=hostile_workbook(TASK_HEADER, TASK_ROWS))
def test_task_import_answers_hostile_cells_clearly(world, users, data):
    answers_properly(lambda: TaskSheetImport(world.master), data, users["office"])


@FUZZ
@given(data=hostile_workbook(HAZARD_HEADER, hazard_rows(3)))
def test_hazard_import_answers_hostile_cells_clearly(world, users, data):
    answers_properly(lambda: HazardSheetImport(world.campaign), data, users["office"])


# ---------------------------------------------------------------------------------------------------------------
# Regressions found by the fuzzing, kept as plain tests


def far_cell(cell: str) -> bytes:
    def change(name, content):
        if name == "xl/worksheets/sheet1.xml":
            row = re.sub(r"\D", "", cell)
            content = content.replace(
                b"</sheetData>", f'<row r="{row}"><c r="{cell}" t="inlineStr"><is><t>x</t></is></c></row>'
                                 f"</sheetData>".encode())
        return [(name, content)]

    return rezip(books.simple_xlsx(TASK_HEADER, TASK_ROWS), change)


def repeated_ods(rows: int, cols: int) -> bytes:
    def change(name, content):
        if name == "content.xml":
            content = content.replace(
                b"</table:table>",
                f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell table:number-columns-repeated='
                f'"{cols}" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
                f"</table:table>".encode())
        return [(name, content)]

    return rezip(books.ods_bytes(TASK_HEADER, TASK_ROWS), change)


def xls_far_cells(sheets: int) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    for n in range(sheets):
        sheet = book.add_sheet(f"表{n}")
        sheet.write(0, 0, "序号")
        sheet.write(65535, 255, "x")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("data, says", [
    # 5 KB asking calamine for 512 GB: aborted the whole process (web worker or Celery worker) before the fix.
    pytest.param(far_cell("XFD1048576"), "范围过大", id="xlsx-cell-at-XFD1048576"),
    pytest.param(far_cell("C300000"), "行的上限", id="xlsx-too-many-rows"),
    pytest.param(far_cell("XFD400"), "使用范围过大", id="xlsx-too-wide"),
    # 1.6 KB of .ods that expanded to 2 GB in memory.
    pytest.param(repeated_ods(1000, 16384), "范围过大", id="ods-repeated-cells"),
    # 22 KB of .xls whose 40 sheets each allocate 512 MB when the workbook is opened.
    pytest.param(xls_far_cells(40), "范围过大", id="xls-many-full-sheets"),
])
def test_enormous_dimensions_are_refused_without_taking_the_process_down(data, says):
    with pytest.raises(ReadError, match=says):
        read_workbook(data)


def test_xlsb_is_named_as_unsupported():
    def change(name, content):
        return [(name, content)] + ([("xl/workbook.bin", b"\x00")] if name == "xl/workbook.xml" else [])

    data = rezip(books.simple_xlsx(TASK_HEADER, TASK_ROWS), change)
    with pytest.raises(ReadError, match="xlsb"):
        read_workbook(data)


def test_control_characters_are_dropped_from_cells(world, users):
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    for col, name in enumerate(TASK_HEADER[:4]):
        sheet.write_string(0, col, name)
    for col, value in enumerate(["7", "清理\x00隐患\x1b台账\x07。", "县住建局\x0b", ""]):
        sheet.write_string(1, col, value)
    book.close()
    preview = run_import(TaskSheetImport(world.master), out.getvalue(), user=users["office"])
    assert preview.counts["new"] == 1
    assert world.master.tasks.get(code="7").text == "清理隐患台账。"


class SavesThenBreaks:
    """An importer whose save writes its rows and then meets a value the database refuses."""

    def __init__(self, inner):
        self.inner = inner

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def save(self, preview, **kwargs):
        self.inner.save(preview, **kwargs)
        raise DataError("value too long for type character varying(200)")


def test_a_value_the_database_refuses_is_a_chinese_error_and_nothing_is_written(world, users):
    data = books.simple_xlsx(TASK_HEADER, TASK_ROWS)
    before = written_rows()
    with pytest.raises(ImportFailed) as failed:
        run_import(SavesThenBreaks(TaskSheetImport(world.master)), data, user=users["office"])
    assert_clear(failed.value.problems)
    assert written_rows() == before


def long_hazard_fields() -> bytes:
    rows = hazard_rows(1)
    rows[0][1] = "长" * 300  # 企业名称: 200 characters in the database
    rows[0][7] = "依" * 400  # 判定依据: 300
    rows[0][11] = "人" * 60  # 整改责任人: 50
    return books.simple_xlsx(HAZARD_HEADER, rows)


def task_target(text: str, targets: str = "") -> bytes:
    return books.simple_xlsx(TASK_HEADER, [["9", text, "县住建局", "", "2024年底前", targets]])


def long_headings() -> bytes:
    header = ["行动", "重点工作", *TASK_HEADER]
    return books.simple_xlsx(header, [["一、" + "行" * 201, "重" * 301, "9", "任务", "县住建局", "", "2024年底前", ""]])


# Each case is answered in the preview (SQLite would store an over-long text and PostgreSQL refuse it at
# confirmation; numeric(14,2) refuses values over 10^12 and rounds a third decimal).
@pytest.mark.parametrize("kind, data, columns", [
    pytest.param("hazards", long_hazard_fields(), {"企业名称", "判定依据", "整改责任人"},
                 id="hazard-cells-longer-than-their-columns"),
    pytest.param("tasks", long_headings(), {"行动", "重点工作"}, id="headings-longer-than-their-columns"),
    pytest.param("tasks", task_target("任务", "指标 ≥ " + "1" * 30 + "%(2024)"), None, id="target-value-over-10^12"),
    pytest.param("tasks", task_target("任务，覆盖率达到" + "1" * 30 + "%"), None, id="target-in-text-over-10^12"),
    pytest.param("tasks", task_target("任务", "指标 ≥ 80.125%(2024)"), None, id="target-value-with-3-decimals"),
    pytest.param("tasks", task_target("任务，覆盖率达到80.125%"), None, id="target-in-text-with-3-decimals"),
])
def test_values_beyond_the_database_limits_are_named_in_the_preview(world, users, kind, data, columns):
    factory = (lambda: TaskSheetImport(world.master)) if kind == "tasks" else (
        lambda: HazardSheetImport(world.campaign))
    preview = answers_properly(factory, data, users["office"])
    assert preview.problems
    if columns:
        named = {label for label in columns for p in preview.problems if f"“{label}”太长" in p.message}
        assert named == columns, [p.message for p in preview.problems]


# ---------------------------------------------------------------------------------------------------------------
# Exports: text that looks like a formula stays text


PAYLOADS = [start + 'HYPERLINK("http://example.com/x","点我")' for start in FORMULA_STARTS]


def cells_of(data: bytes) -> list:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [cell for row in sheet.iter_rows() for cell in row]


def exported(sheet) -> bytes:
    out = io.BytesIO()
    write_xlsx(out, [sheet])
    return out.getvalue()


def assert_text_cells(data: bytes, payloads: list[str]) -> None:
    # A carriage return is stored as OOXML's "_x000D_" (Excel and calamine decode it; openpyxl leaves it).
    found = {unescape(cell.value): cell for cell in cells_of(data) if isinstance(cell.value, str)}
    for payload in payloads:
        assert payload in found, f"{payload!r} is not in the export as it was written"
        assert found[payload].data_type == "s", (payload, found[payload].data_type)
    assert not [c for c in cells_of(data) if c.data_type == "f"], "the export holds a formula"


def test_task_list_export_keeps_formula_like_text_as_text(world):
    key = KeyTaskFactory(action_line=world.task_a.action_line, title=PAYLOADS[0])
    for n, payload in enumerate(PAYLOADS, start=10):
        make_task(world.master, n, lead=[world.dept_a], text=payload, action_line=key.action_line)
    world.master.tasks.filter(code="10").update(key_task=key)
    assert_text_cells(exported(task_export(world.master)), PAYLOADS)


def test_hazard_export_keeps_formula_like_text_as_text(world, users):
    for n, payload in enumerate(PAYLOADS):
        enterprise = Enterprise.objects.create(name=payload, credit_code=make_credit_code(f"91370826{n + 1:08d}"),
                                               township=world.township)
        MajorHazard.objects.create(
            campaign=world.campaign, enterprise=enterprise, township=world.township, supervisor=world.dept_b,
            industry="gas", channel="other", description=payload, standard_clause=payload,
            responsible_person=payload[:50], found_on=datetime.date(2024, 3, n + 1), created_by=users["office"],
        )
    assert_text_cells(exported(hazard_export(world.campaign)), PAYLOADS)



# ---- numeric parameters: any text in a number's place answers 200 or 404, never 500 ----------------------------

@pytest.fixture
def june_report(world):
    from reporting.services import build_report

    return build_report(world.campaign, datetime.date(2024, 6, 1))


@FUZZ
@given(value=st.text(max_size=12) | st.sampled_from(["²", "٣", "１", "1e3", "-1", "0x1", "9" * 30, " 1", "1\x00"]))
def test_numbers_in_query_strings_never_answer_500(client, world, users, june_report, value):
    from django.urls import reverse

    from core.params import strict_int

    parsed = strict_int(value)
    assert parsed is None or (value.isascii() and parsed == int(value))
    client.force_login(users["office"])
    slug = world.campaign.slug
    for url, name in ((reverse("monthly-detail", args=[slug, "2024-06"]), "version"),
                      (reverse("list-ledger", args=[slug]), "ledger_year"),
                      (reverse("list-tasks", args=[slug]), "page"), (reverse("hazard-list", args=[slug]), "page")):
        response = client.get(url, {name: value})
        assert response.status_code in (200, 400, 404), (url, value, response.status_code)
