"""The import template (.xlsx): the columns, an example row, drop-down lists and instructions in Chinese."""

from __future__ import annotations

import io

import xlsxwriter

from campaign.models import Plan, Unit
from imports.units import UnitIndex

from .importers import COLUMNS

INSTRUCTIONS = [
    ("填写说明", ""),
    ("1", "每行一项具体任务。“具体任务”列必填；总方案还必须填写“牵头单位”，"
          "子方案不填时默认为本单位。"),
    ("2", "“序号”为任务编号，同一方案内不能重复；也可不填序号，"
          "把编号写在任务内容开头，如“3.对发现的问题……”。"),
    ("3", "“行动”“重点工作”可以合并单元格，或只在第一行填写，下面空着的行沿用上一行。"),
    ("4", "单位可写全称、常用简称或单位代码，多个单位用顿号、逗号、分号或斜杠分隔，"
          "如“县住建局、县应急局”。"),
    ("5", "“完成时限”可写日期（2025-06-30、2025.6.30）或文字（2024年底前、2025年6月底前），"
          "多个时间节点分行填写，可在日期后加冒号写节点要求；"
          "不填时从任务内容中的“××年底前”自动识别，没有则为三年行动结束日。"),
    ("6", "“量化目标”可写“覆盖率 ≥ 100%(2024)”或“知晓率达到80%以上”；"
          "不填时从任务内容中自动识别；没有量化目标可填“无”。"),
    ("7", "可以保留表格上方的标题行和两行表头（如“责任分工”下分“牵头单位”“配合单位”）。"
          "支持 .xlsx、.xls、.ods 文件，不超过 10 MB。"),
    ("8", "本页下方有一行示例，请在“任务清单”工作表中逐行填写。"
          "上传后系统会先显示预览，逐行列出将新增、修改的任务和发现的问题；确认后才会保存，且要么全部保存、要么都不保存。"),
]
DATE_EXAMPLES = ["2024年底前", "2025年6月底前", "2025-12-31", "2026年底前"]


def build_template(plan: Plan) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    head = book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1, "text_wrap": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    ws = book.add_worksheet("任务清单")
    for col, (column, width) in enumerate(zip(COLUMNS, [8, 24, 20, 60, 24, 30, 24, 30], strict=True)):
        ws.set_column(col, col, width)
        ws.write_string(0, col, column.label, head)
    lines = list(plan.action_lines.order_by("number"))
    units = UnitIndex(plan.campaign).units
    example = [
        "1", f"{lines[0].number}.{lines[0].title}" if lines else "1.开展重大事故隐患动态清零行动", "",
        "建立健全重大事故隐患排查整治工作机制，企业员工应知应会知识抽查知晓率达到80%以上。",
        plan.unit.name if not plan.is_master else (units[1].name if len(units) > 1 else plan.unit.name),
        "", "2024年底前", "",
    ]
    # Choices live on a hidden sheet so the lists are not limited to 255 characters.
    options = book.add_worksheet("选项")
    choice_lists = {
        1: [f"{a.number}.{a.title}" for a in lines],
        4: [u.name for u in units if u.kind != "office"] or [u.name for u in Unit.objects.all()[:200]],
        6: DATE_EXAMPLES,
    }
    for col, values in choice_lists.items():
        for row, value in enumerate(values):
            options.write_string(row, col, value)
        if values:
            letter = chr(ord("A") + col)
            source = f"=选项!${letter}$1:${letter}${len(values)}"
            targets = [col] if col != 4 else [4, 5]
            for target in targets:
                ws.data_validation(1, target, 2000, target, {
                    "validate": "list", "source": source, "ignore_blank": True,
                    "error_type": "information", "show_error": False,
                })
    options.hide()
    notes = book.add_worksheet("填写说明")
    notes.set_column(0, 0, 8)
    notes.set_column(1, 1, 110)
    for row, (number, text) in enumerate(INSTRUCTIONS):
        notes.write_string(row, 0, number, head if row == 0 else wrap)
        notes.write_string(row, 1, text, wrap)
    # The example stays on this sheet, so a forgotten example row is never imported as a task.
    start = len(INSTRUCTIONS) + 1
    notes.write_string(start, 0, "示例", head)
    for col, column in enumerate(COLUMNS):
        notes.write_string(start + 1, col + 1, column.label, head)
        notes.write_string(start + 2, col + 1, example[col], wrap)
    book.close()
    return buffer.getvalue()
