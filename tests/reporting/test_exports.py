"""Exports of a stored monthly report: JSON, the two workbooks, the Word bulletins and the command."""

import datetime
import io
import json
import os
import re
import shutil
import subprocess

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from docx import Document
from docx.oxml.ns import qn

from demo.loader import load_demo
from reporting.bulletins import listed_scores
from reporting.docx_notice import cn_date
from reporting.exports import bulletin_docx, dispatch_xlsx, ranking_xlsx, report_json
from reporting.models import BulletinKind, Group, MonthlyReport, UnitScore
from reporting.services import build_report, publish_report

pytestmark = pytest.mark.django_db

MONTH = datetime.date(2025, 6, 1)
FORMULA_NAME = "=HYPERLINK(\"http://example.com\",\"点我\")"


@pytest.fixture(scope="module")
def demo_report_id(django_db_setup, django_db_blocker):
    """The demo campaign with May 2025 published and June 2025 built, once for the module, rolled back after it.

    Each test runs in its own savepoint inside this transaction, so what a test changes is undone.
    """
    with django_db_blocker.unblock(), override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            campaign = load_demo(today=datetime.date(2025, 7, 15), reports=False)
            publish_report(build_report(campaign, datetime.date(2025, 5, 1)))
            yield build_report(campaign, MONTH).pk
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def report(demo_report_id):
    return MonthlyReport.objects.select_related("campaign__office").get(pk=demo_report_id)


def _weights(report):
    return {name: float(value) for name, value in report.weights.items()}


def test_json_lists_every_unit_with_its_components_and_the_score_identity_holds(report):
    data = report_json(report)
    json.dumps(data)  # plain JSON types only
    assert data["campaign"] == "weishan-2024"
    assert data["month"] == "2025-06"
    assert data["version"] == report.version
    assert data["state"] == "draft"
    assert data["built_at"] and data["published_at"] is None
    assert all(u["previous_rank"] is not None for u in data["units"])  # May is published

    scores = {s.unit_code: s for s in report.scores.all()}
    assert len(data["units"]) == len(scores) > 30
    assert {u["code"] for u in data["units"]} == set(scores)
    w = data["weights"]
    assert (w["on_time"], w["reporting"], w["targets"], w["hazards"]) == (40, 15, 20, 25)
    rated_any = not_rated_any = False
    for unit in data["units"]:
        stored = scores[unit["code"]]
        assert unit["name"] == stored.unit_name
        assert unit["group"] in Group.values
        assert unit["rank"] == stored.rank
        c = unit["components"]
        assert set(c) == {"on_time", "reporting", "targets", "hazards"}
        # DESIGN §5 from the row's own counts: nothing to count is null (不参评), never full marks.
        bases = {"on_time": unit["due_count"], "reporting": unit["reports_required"],
                 "targets": unit["target_count"], "hazards": unit["hazards_due"]}
        for name, base in bases.items():
            assert (c[name] is None) == (base == 0), (unit["code"], name)
            assert c[name] is None or (isinstance(c[name], int | float) and 0 <= c[name] <= 1)
        if c["on_time"] is not None:
            assert c["on_time"] == float(stored.on_time)  # full stored precision
            assert abs(c["on_time"] - unit["on_time_count"] / unit["due_count"]) < 1e-6
        rated = {name: value for name, value in c.items() if value is not None}
        not_rated_any = not_rated_any or len(rated) < 4
        if not rated:
            assert unit["score"] is None and unit["rank"] is None and unit["rated"] is False
            continue
        rated_any = True
        assert isinstance(unit["score"], int | float) and unit["rated"] is True
        total = 100 * sum(w[name] * value for name, value in rated.items()) / sum(w[name] for name in rated)
        assert abs(total - unit["penalty"] - unit["score"]) <= 0.01, unit
        for count in ("due_count", "on_time_count", "reports_required", "reports_on_time", "target_count",
                      "hazards_due", "hazards_closed_on_time", "overdue_hazards"):
            assert unit[count] == getattr(stored, count)
    assert rated_any and not_rated_any  # the demo month has both kinds

    # Townships first, then departments, each by rank; unranked units last in their group.
    order = [(Group.values.index(u["group"]), u["rank"] is None, u["rank"] or 0) for u in data["units"]]
    assert order == sorted(order)


def test_ranking_workbook_has_both_groups_and_keeps_formula_like_names_as_text(report):
    score = report.scores.filter(group=Group.TOWNSHIP).order_by("rank").first()
    UnitScore.objects.filter(pk=score.pk).update(unit_name=FORMULA_NAME)

    book = openpyxl.load_workbook(io.BytesIO(ranking_xlsx(report)))
    assert book.sheetnames == ["乡镇（街道）、开发区", "县直部门"]
    for sheet, group in zip(book.worksheets, Group.values, strict=True):
        caption = sheet.cell(1, 1).value
        assert report.campaign.name in caption and "2025年6月" in caption and "权重" in caption
        headers = [c.value for c in sheet[2]]
        assert headers[:3] == ["名次", "单位", "得分"]
        for name in ("按期完成率（%）", "按时填报率（%）", "扣分", "上月名次", "到期任务数", "逾期未销号隐患数"):
            assert name in headers
        assert sheet.max_row - 2 == report.scores.filter(group=group).count()

    sheet = book["乡镇（街道）、开发区"]
    cell = next(c for row in sheet.iter_rows(min_row=3) for c in row if c.value == FORMULA_NAME)
    assert cell.data_type == "s"
    row = [c.value for c in sheet[cell.row]]
    assert row[0] == score.rank and row[2] == pytest.approx(float(score.score))
    assert row[3] == pytest.approx(float(score.on_time) * 100, abs=0.01)


def test_dispatch_workbook_has_every_part_of_the_monthly_report(report):
    UnitScore.objects.filter(pk=report.scores.order_by("rank").first().pk).update(unit_name=FORMULA_NAME)
    book = openpyxl.load_workbook(io.BytesIO(dispatch_xlsx(report)))
    assert book.sheetnames == ["汇总", "分行动进展", "排名", "问题清单", "逾期任务", "逾期隐患", "督办", "延期",
                               "一致性评估"]
    summary = report.summary
    headline = {row[1]: row[2] for row in book["汇总"].iter_rows(min_row=3, values_only=True)}
    assert headline["任务分解总数（项）"] == summary["headline"]["tasks"]["total"]
    assert headline["逾期未销号"] == summary["headline"]["hazards"]["overdue"]

    assert book["分行动进展"].max_row - 2 == len(summary["action_lines"])
    ranking = book["排名"]
    assert [c.value for c in ranking[2]][:4] == ["组别", "名次", "单位", "得分"]
    assert ranking.max_row - 2 == report.scores.count()
    names = [c for row in ranking.iter_rows(min_row=3) for c in row if c.value == FORMULA_NAME]
    assert len(names) == 1 and names[0].data_type == "s"

    assert book["问题清单"].max_row - 2 == len(summary["problems"]["rows"]) > 0
    scores = list(report.scores.all())
    overdue_tasks = sum(len(s.details.get("tasks", [])) for s in scores)
    overdue_hazards = sum(len(s.details.get("hazards", [])) for s in scores)
    assert overdue_tasks > 0 and overdue_hazards > 0
    assert book["逾期任务"].max_row - 2 == overdue_tasks
    assert book["逾期隐患"].max_row - 2 == overdue_hazards
    assert [c.value for c in book["逾期隐患"][2]] == ["组别", "单位", "企业", "隐患", "整改期限", "逾期天数"]
    for title in ("督办", "延期", "一致性评估"):
        assert book[title].cell(2, 1).value  # headers present even when the list is empty


def _docx_text(data: bytes) -> tuple[Document, str]:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return document, "\n".join(parts)


@pytest.mark.parametrize("kind", BulletinKind.values)
def test_bulletin_docx_is_a_notice_with_title_issuer_units_and_date(report, kind):
    bulletin = report.bulletins.get(kind=kind)
    bulletin.number = "微安办〔2025〕7号"
    bulletin.save()
    document, text = _docx_text(bulletin_docx(bulletin))

    listed = listed_scores(bulletin)
    assert listed
    for needle in (bulletin.title, bulletin.issuer, bulletin.number, cn_date(bulletin.issued_on),
                   *(s.unit_name for s in listed)):
        assert needle in text, needle

    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    masthead = document.paragraphs[0]
    assert masthead.text == bulletin.issuer
    assert str(masthead.runs[0].font.color.rgb) == "E60012"
    title = next(p for p in document.paragraphs if p.text == bulletin.title)
    fonts = title.runs[0]._element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    body = next(p for p in document.paragraphs if p.text == bulletin.paragraphs()[0])
    assert body.runs[0].font.size.pt == 16
    assert body.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    if kind == BulletinKind.CRITICISM:
        overdue = next(s for s in listed if s.details.get("tasks"))
        assert overdue.details["tasks"][0]["code"] in text
        assert "逾期天数" in text


def test_command_prints_json(report):
    out = io.StringIO()
    call_command("export_report", "--campaign", "weishan-2024", "--month", "2025-06", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["month"] == "2025-06"
    assert len(data["units"]) == report.scores.count()
    assert data["units"][0]["name"] in out.getvalue()  # Chinese printed as is, not \u-escaped


def test_command_writes_files(report, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    args = ["export_report", "--campaign", "weishan-2024", "--month", "2025-06"]
    call_command(*args, "--format", "xlsx", stdout=out)
    call_command(*args, "--format", "docx", stdout=out)
    call_command(*args, "--format", "docx", "--kind", "criticism", "--output", str(tmp_path / "c.docx"), stdout=out)
    call_command(*args, "--format", "json", "--output", str(tmp_path / "r.json"), stdout=out)
    written = out.getvalue().split()
    assert written == ["weishan-2024-2025-06-月调度.xlsx", "weishan-2024-2025-06-表扬通报.docx",
                       "weishan-2024-2025-06-反面典型通报.docx", str(tmp_path / "c.docx"), str(tmp_path / "r.json")]
    for name in written:
        assert (tmp_path / name).stat().st_size > 0
    assert openpyxl.load_workbook(tmp_path / written[0]).sheetnames[0] == "汇总"
    _, text = _docx_text((tmp_path / "c.docx").read_bytes())
    assert report.bulletins.get(kind=BulletinKind.CRITICISM).title in text
    assert json.loads((tmp_path / "r.json").read_text("utf-8"))["campaign"] == "weishan-2024"


@pytest.mark.parametrize(("campaign", "month", "message"), [
    ("weishan-2024", "2025-04", "build_monthly_report --campaign weishan-2024 --month 2025-04"),
    ("weishan-2024", "2025-13", "格式不对"),
    ("nowhere", "2025-06", "找不到三年行动"),
])
def test_command_fails_cleanly(report, tmp_path, campaign, month, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("export_report", "--campaign", campaign, "--month", month, "--format", "docx",
                     "--output", str(tmp_path / "x.docx"), stdout=io.StringIO())
    assert not (tmp_path / "x.docx").exists()


def test_bulletin_converts_to_pdf_with_its_text(report, tmp_path):
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None or shutil.which("pdftotext") is None:
        pytest.skip("需要 LibreOffice（libreoffice/soffice）和 poppler-utils（pdftotext）来检查 PDF 转换")
    bulletin = report.bulletins.get(kind=BulletinKind.CRITICISM)
    source = tmp_path / "bulletin.docx"
    source.write_bytes(bulletin_docx(bulletin))
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home)}
    subprocess.run([office, "--headless", f"-env:UserInstallation=file://{home}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=120, env=env)
    pdf = tmp_path / "bulletin.pdf"
    assert pdf.exists()
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True,
                          timeout=120).stdout.decode("utf-8")
    flat = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", bulletin.title) in flat
    assert listed_scores(bulletin)[0].unit_name in flat
    assert bulletin.issuer in flat
