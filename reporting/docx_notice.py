"""A bulletin as a Word file in the layout of a Chinese government notice (党政机关公文格式, GB/T 9704).

A4 with the standard type area (156 × 225 mm): the red issuing-office mark (发文机关标志), the document
number (文号), a red rule, the title in 小标宋, the addressee (主送), the body in 仿宋 三号 with a two-character
first-line indent and 28 pt lines, the table of listed units, then the issuer and the date (成文日期).

Chinese text only renders in the intended face if the run's East-Asian font (``w:rFonts/@w:eastAsia``) is
set: python-docx's ``font.name`` sets the Latin faces only. Machines without the 方正/GB2312 faces fall back
to their own Song/FangSong faces, which keeps the layout.
"""

from __future__ import annotations

import datetime
import io
import re

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .bulletins import listed_scores
from .models import Bulletin, BulletinKind, UnitScore

XIAOBIAOSONG = "方正小标宋简体"
FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
LATIN = "Times New Roman"

RED = RGBColor(0xE6, 0x00, 0x12)  # 公文红
SIZE_2 = Pt(22)  # 二号: the title
SIZE_3 = Pt(16)  # 三号: body text
SIZE_4 = Pt(14)  # 四号: page numbers, tables
ZERO = Pt(0)
LINE = Pt(28)  # 22 lines of 28 characters on the 225 mm type area
CHAR = 16  # points: one character of 三号 text
TYPE_WIDTH_PT = 156 / 25.4 * 72  # 156 mm
CN_NUMBERS = "一二三四五六七八九十"
HEADING = re.compile(r"^([一二三四五六七八九十]+、[^：:。]{0,30}[：:])(.*)$", re.S)


def cn_date(day: datetime.date) -> str:
    """成文日期 as GB/T 9704 writes it: Arabic numerals, no leading zeros (2026年11月22日)."""
    return f"{day.year}年{day.month}月{day.day}日"


# ---------------------------------------------------------------------------------------------------------------
# Low-level formatting


def set_fonts(element_rpr, east_asia: str, latin: str = LATIN) -> None:
    """Latin and East-Asian faces on an ``w:rPr`` (a run's or a style's)."""
    fonts = element_rpr.get_or_add_rFonts()
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    # Ambiguous characters (“” ： —) take the East-Asian face, as a Chinese document expects.
    fonts.set(qn("w:hint"), "eastAsia")


def add_run(paragraph, text: str, east_asia: str = FANGSONG, size=SIZE_3, bold: bool = False, color=None,
            scale: int | None = None):
    run = paragraph.add_run(text)
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    rpr = run._element.get_or_add_rPr()
    set_fonts(rpr, east_asia)
    if scale is not None and scale != 100:
        width = OxmlElement("w:w")
        width.set(qn("w:val"), str(scale))
        # CT_RPr is a sequence: w:w comes before w:sz.
        size_element = rpr.find(qn("w:sz"))
        if size_element is not None:
            size_element.addprevious(width)
        else:
            rpr.append(width)
    return run


def _format(paragraph, align=WD_ALIGN_PARAGRAPH.JUSTIFY, line=LINE, before=ZERO, after=ZERO,
            first_line_chars: int = 0, right_indent=None):
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.space_before = before
    fmt.space_after = after
    if line is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = line
    if first_line_chars:
        fmt.first_line_indent = Pt(CHAR * first_line_chars)
        # Word measures the indent in characters when firstLineChars is present (hundredths of a character).
        ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
        ind.set(qn("w:firstLineChars"), str(first_line_chars * 100))
    if right_indent is not None:
        fmt.right_indent = right_indent
    return paragraph


def _bottom_rule(paragraph, color: str = "E60012", eighths_of_point: int = 12) -> None:
    """A paragraph border along the type area's width: the red rule under the document number."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), str(eighths_of_point))
    bottom.set(qn("w:space"), "6")
    bottom.set(qn("w:color"), color)
    borders.append(bottom)
    # pBdr must come before spacing/ind/jc in CT_PPr's sequence.
    anchor = ppr.find(qn("w:spacing"))
    if anchor is None:
        anchor = ppr.find(qn("w:ind"))
    if anchor is None:
        anchor = ppr.find(qn("w:jc"))
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        ppr.append(borders)


def _text_width(text: str, size: float = CHAR) -> float:
    """Approximate printed width: ASCII is half a character wide, everything else a full one."""
    return sum(size / 2 if ord(ch) < 128 else size for ch in text)


def _page_number_footer(section) -> None:
    """GB/T 9704 page numbers: 4号 Arabic numerals between two dashes, '— 1 —'."""
    paragraph = section.footer.paragraphs[0]
    _format(paragraph, align=WD_ALIGN_PARAGRAPH.CENTER, line=None)
    add_run(paragraph, "— ", SONGTI, SIZE_4)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    inner = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    inner.append(text)
    field.append(inner)
    paragraph._p.append(field)
    add_run(paragraph, " —", SONGTI, SIZE_4)


def _new_document(bulletin: Bulletin):
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(24)

    normal = document.styles["Normal"]
    normal.font.size = SIZE_3
    rpr = normal.element.get_or_add_rPr()
    set_fonts(rpr, FANGSONG)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)

    props = document.core_properties
    props.title = bulletin.title
    props.author = bulletin.issuer
    props.subject = bulletin.get_kind_display()
    props.language = "zh-CN"
    _page_number_footer(section)
    return document


# ---------------------------------------------------------------------------------------------------------------
# Parts of the notice


def _masthead(document, bulletin: Bulletin) -> None:
    """发文机关标志 (red, centred, as large as fits one line), 文号, and the red rule."""
    issuer = bulletin.issuer.strip() or bulletin.report.campaign.office.name
    count = max(len(issuer), 1)
    size = max(22, min(42, int((TYPE_WIDTH_PT - 12) // count)))
    # A very long name is narrowed (character scale) rather than wrapped.
    scale = min(100, int((TYPE_WIDTH_PT - 12) * 100 // (count * size)))
    paragraph = _format(document.add_paragraph(), align=WD_ALIGN_PARAGRAPH.CENTER, line=None, before=Mm(25))
    add_run(paragraph, issuer, XIAOBIAOSONG, Pt(size), color=RED, scale=max(scale, 50))

    _format(document.add_paragraph(), line=LINE)  # 空二行 below the mark (one line of 28 pt + spacing)
    number = _format(document.add_paragraph(), align=WD_ALIGN_PARAGRAPH.CENTER, line=LINE, before=Pt(14))
    if bulletin.number.strip():
        add_run(number, bulletin.number.strip())
    _bottom_rule(number)


def _title(document, bulletin: Bulletin) -> None:
    _format(document.add_paragraph(), line=LINE)
    _format(document.add_paragraph(), line=LINE)
    paragraph = _format(document.add_paragraph(), align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(35))
    add_run(paragraph, bulletin.title.strip(), XIAOBIAOSONG, SIZE_2)
    _format(document.add_paragraph(), line=LINE)


def _addressee(document, bulletin: Bulletin) -> None:
    text = bulletin.addressee.strip()
    if not text:
        return
    if not text.endswith(("：", ":")):
        text += "："
    add_run(_format(document.add_paragraph()), text)


def _body(document, bulletin: Bulletin) -> None:
    """Body paragraphs; a leading '一、……：' is a first-level heading and set in 黑体."""
    for text in bulletin.paragraphs():
        paragraph = _format(document.add_paragraph(), first_line_chars=2)
        match = HEADING.match(text)
        if match:
            add_run(paragraph, match.group(1), HEITI)
            add_run(paragraph, match.group(2))
        else:
            add_run(paragraph, text)


def _cell(cell, text, width_mm: float, header: bool = False, align=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    cell.width = Mm(width_mm)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    _format(paragraph, align=align, line=None)
    add_run(paragraph, "" if text is None else str(text), HEITI if header else FANGSONG, Pt(12))


def _table(document, headers: list[str], rows: list[list], widths: list[float], left: set[int] = frozenset()):
    """A bordered table across the type area, its header row repeated on each page."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    # LibreOffice lays out by the grid columns, Word by the cell widths: set both.
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)
    for index, (cell, name) in enumerate(zip(table.rows[0].cells, headers, strict=True)):
        _cell(cell, name, widths[index], header=True)
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    for values in rows:
        row = table.add_row()
        keep = OxmlElement("w:cantSplit")  # a row is never broken across pages
        keep.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(keep)
        cells = row.cells
        for index, value in enumerate(values):
            align = WD_ALIGN_PARAGRAPH.LEFT if index in left else WD_ALIGN_PARAGRAPH.CENTER
            _cell(cells[index], value, widths[index], align=align)
    return table


def _section_heading(document, text: str) -> None:
    paragraph = _format(document.add_paragraph(), align=WD_ALIGN_PARAGRAPH.CENTER, before=Pt(14), after=Pt(6))
    paragraph.paragraph_format.keep_with_next = True
    add_run(paragraph, text, HEITI)


def _sub_heading(document, text: str) -> None:
    paragraph = _format(document.add_paragraph(), first_line_chars=2, before=Pt(6))
    paragraph.paragraph_format.keep_with_next = True
    add_run(paragraph, text, KAITI)


def _label(document, text: str) -> None:
    """The caption of a detail table, kept on the page of the table it introduces."""
    paragraph = _format(document.add_paragraph(), first_line_chars=2)
    paragraph.paragraph_format.keep_with_next = True
    add_run(paragraph, text, size=SIZE_4)


def _day(text: str | None) -> str:
    try:
        return cn_date(datetime.date.fromisoformat(text)) if text else ""
    except ValueError:
        return text or ""


def _praise_table(document, scores: list[UnitScore]) -> None:
    _section_heading(document, "受到通报表扬单位名单")
    rows = [[index, s.get_group_display(), s.unit_name, s.rank, f"{s.score}"]
            for index, s in enumerate(scores, start=1)]
    _table(document, ["序号", "组别", "单位", "名次", "得分"], rows, [14, 46, 60, 16, 20], left={2})


def _criticism_tables(document, scores: list[UnitScore]) -> None:
    _section_heading(document, "被通报单位得分及逾期任务、逾期未销号重大事故隐患情况")
    rows = [[index, s.get_group_display(), s.unit_name, s.rank, f"{s.score}", s.overdue_tasks, s.overdue_hazards]
            for index, s in enumerate(scores, start=1)]
    _table(document, ["序号", "组别", "单位", "名次", "得分", "逾期任务", "逾期隐患"], rows,
           [12, 36, 42, 13, 17, 18, 18], left={2})
    for index, s in enumerate(scores):
        details = s.details or {}
        tasks, hazards = details.get("tasks", []), details.get("hazards", [])
        number = CN_NUMBERS[index] if index < len(CN_NUMBERS) else str(index + 1)
        _sub_heading(document, f"（{number}）{s.unit_name}：得分{s.score}分，{s.get_group_display()}第{s.rank}名；"
                               f"逾期任务{s.overdue_tasks}项，逾期未销号重大事故隐患{s.overdue_hazards}项。")
        if tasks:
            note = f"（列出前{len(tasks)}项）" if s.overdue_tasks > len(tasks) else ""
            _label(document, f"逾期任务{note}：")
            _table(document, ["任务编号", "任务内容", "到期日", "逾期天数"],
                   [[t.get("code"), t.get("text"), _day(t.get("due_date")), t.get("days")] for t in tasks],
                   [21, 76, 38, 21], left={1})
        if hazards:
            note = f"（列出前{len(hazards)}项）" if s.overdue_hazards > len(hazards) else ""
            _label(document, f"逾期未销号隐患{note}：")
            _table(document, ["企业", "隐患", "整改期限", "逾期天数"],
                   [[h.get("enterprise"), h.get("text"), _day(h.get("deadline")), h.get("days")] for h in hazards],
                   [36, 61, 38, 21], left={0, 1})
        if not tasks and not hazards:
            add_run(_format(document.add_paragraph(), first_line_chars=2), "月底无逾期任务和逾期未销号隐患。",
                    size=SIZE_4)


def _signature(document, bulletin: Bulletin) -> None:
    """发文机关署名 right-indented two characters, the date below it starting two characters further right.

    When the date is the longer of the two it keeps its two-character right margin and the issuer moves left.
    """
    issuer = bulletin.issuer.strip()
    date = cn_date(bulletin.issued_on)
    issuer_width, date_width = _text_width(issuer), _text_width(date)
    date_indent = issuer_width - date_width
    issuer_indent = 2 * CHAR
    if date_indent < 2 * CHAR:
        date_indent = 2 * CHAR
        issuer_indent = 4 * CHAR + date_width - issuer_width
    for _ in range(2):
        _format(document.add_paragraph())
    add_run(_format(document.add_paragraph(), align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent=Pt(issuer_indent)),
            issuer)
    add_run(_format(document.add_paragraph(), align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent=Pt(date_indent)), date)


def render_bulletin(bulletin: Bulletin) -> bytes:
    """The bulletin as .docx bytes."""
    document = _new_document(bulletin)
    _masthead(document, bulletin)
    _title(document, bulletin)
    _addressee(document, bulletin)
    _body(document, bulletin)
    scores = listed_scores(bulletin)
    if scores:
        if bulletin.kind == BulletinKind.CRITICISM:
            _criticism_tables(document, scores)
        else:
            _praise_table(document, scores)
    _signature(document, bulletin)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()

