import datetime
from decimal import Decimal

import pytest

from imports.parsing import DatePhraseError, parse_due
from tasks.choices import Comparator
from tasks.textrules import extract_targets, split_milestones

D = datetime.date
END = D(2026, 12, 31)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024年底前", D(2024, 12, 31)),
        ("2025年6月底前", D(2025, 6, 30)),
        ("2024年10月底前", D(2024, 10, 31)),
        ("2024年12月31日", D(2024, 12, 31)),
        ("2025.12.31", D(2025, 12, 31)),
        ("2025-6-30", D(2025, 6, 30)),
        ("2025/06/30", D(2025, 6, 30)),
        ("２０２５年６月底前", D(2025, 6, 30)),
        ("2025年2月底前", D(2025, 2, 28)),
        ("2024年2月底前", D(2024, 2, 29)),
        ("2025年上半年", D(2025, 6, 30)),
        ("2025年第三季度", D(2025, 9, 30)),
        ("2024", D(2024, 12, 31)),
        ("2024年", D(2024, 12, 31)),
        (D(2025, 3, 1), D(2025, 3, 1)),
        (datetime.datetime(2025, 3, 1, 8, 0), D(2025, 3, 1)),
        ("", None),
        (None, None),
    ],
)
def test_parse_due_reads_the_ways_offices_write_deadlines(text, expected):
    assert parse_due(text) == expected


@pytest.mark.parametrize("text", ["2025年13月底前", "2025年2月30日", "2025.13.01", "长期坚持"])
def test_parse_due_refuses_impossible_or_missing_dates(text):
    with pytest.raises(DatePhraseError):
        parse_due(text)


def test_references_to_past_years_are_not_deadlines():
    text = "2024年底前，对2020年以来发证的企业开展“回头看”，消除2023年及以前排查发现的隐患。"
    milestones = split_milestones(text, END)
    assert [m.due_date for m in milestones] == [D(2024, 12, 31)]


def test_milestones_from_year_sentences():
    text = (
        "推动各类功能区开展整体性安全风险评估。开展规范化建设试点，2024年底前，所有功能区全部设立安全监管机构。"
        "2025年底前，建立功能区安全生产规范化建设标准。2026年6月底前，基本完成处置；2026年底前，全部完成。"
    )
    milestones = split_milestones(text, END)
    assert [m.due_date for m in milestones] == [D(2024, 12, 31), D(2025, 12, 31), D(2026, 6, 30), D(2026, 12, 31)]
    # A deadline in mid-sentence keeps the whole sentence; one at the start is cut off.
    assert milestones[0].text.startswith("开展规范化建设试点")
    assert milestones[1].text == "建立功能区安全生产规范化建设标准"
    assert milestones[2].text == "基本完成处置"


def test_text_without_deadline_gets_campaign_end():
    milestones = split_milestones("深化“平安工地”示范创建工作。", END, "全面完成本项任务")
    assert len(milestones) == 1
    assert milestones[0].due_date == END
    assert milestones[0].text == "全面完成本项任务"


@pytest.mark.parametrize(
    "text, metric, unit, comparator, value",
    [
        ("行业领域企业覆盖率达到100%", "行业领域企业覆盖率", "%", Comparator.GTE, "100"),
        ("6.企业员工应知应会知识抽查知晓率达到80%以上", "企业员工应知应会知识抽查知晓率", "%", Comparator.GTE, "80"),
        ("持证上岗率100%", "持证上岗率", "%", Comparator.GTE, "100"),
        ("合格率不低于90%", "合格率", "%", Comparator.GTE, "90"),
        ("每季度培训不少于30人", "每季度培训", "人", Comparator.GTE, "30"),
        ("死亡事故不超过2次", "死亡事故", "次", Comparator.LTE, "2"),
        ("企业“四不”演练占比达到４０％", "企业“四不”演练占比", "%", Comparator.GTE, "40"),
    ],
)
def test_targets_stated_in_text(text, metric, unit, comparator, value):
    [target] = extract_targets(text)
    assert (target.metric, target.measure_unit, target.comparator, target.value) == (
        metric, unit, comparator, Decimal(value),
    )


def test_counts_that_describe_scope_are_not_targets():
    assert extract_targets("涉粉作业10人以上金属粉尘企业全部接入监测预警系统") == []
    assert extract_targets("采深超过800米的煤矿") == []
