"""The Weishan county plan (seeds/004), read from its own text.

The action lines, the 28 numbered tasks and their paragraphs come from the document;
what the document does not say in a machine-readable way (which units lead or
cooperate on each task, the units' codes and short names) is written down here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

PLAN_TEXT = Path(__file__).with_name("weishan_plan.txt")

COUNTY_OFFICE = ("ws-office", "微山县安全生产委员会办公室", "县安委办")

# The 21 departments of the appendix, in its order: (code, full name, short name, other names).
DEPARTMENTS = [
    ("ws-fgj", "县发展和改革局", "县发改局", ""),
    ("ws-jtj", "县教育和体育局", "县教体局", "县教育局"),
    ("ws-gxj", "县工业和信息化局", "县工信局", ""),
    ("ws-gaj", "县公安局", "县公安局", ""),
    ("ws-mzj", "县民政局", "县民政局", ""),
    ("ws-rsj", "县人力资源和社会保障局", "县人社局", ""),
    ("ws-zrj", "县自然资源和规划局", "县自然资源局", "县自规局"),
    ("ws-zjj", "县住房和城乡建设局", "县住建局", ""),
    ("ws-jtysj", "县交通运输局", "县交通局", "县交通运输局"),
    ("ws-swj", "县水务局", "县水务局", "县水利局"),
    ("ws-nyj", "县农业农村局", "县农业农村局", "县农业局"),
    ("ws-swuj", "县商务局", "县商务局", ""),
    ("ws-wlj", "县文化和旅游局", "县文旅局", ""),
    ("ws-wjj", "县卫生健康局", "县卫健局", ""),
    ("ws-yjj", "县应急管理局", "县应急局", ""),
    ("ws-scjgj", "县市场监管局", "县市场监管局", "县市场监督管理局"),
    ("ws-zfj", "县综合行政执法局", "县综合执法局", ""),
    ("ws-nsh", "县南四湖综合管理委员会", "县南四湖管委会", ""),
    ("ws-sthj", "市生态环境局微山县分局", "微山生态环境分局", "县生态环境分局"),
    ("ws-xfdd", "县消防救援大队", "县消防大队", ""),
    ("ws-yzj", "县邮政管理局", "县邮政局", ""),
]

# Weishan's 15 townships and streets, and its development zone.
TOWNSHIPS = [
    ("ws-xzjd", "夏镇街道"), ("ws-zyjd", "昭阳街道"), ("ws-fcjd", "傅村街道"),
    ("ws-hzz", "韩庄镇"), ("ws-hcz", "欢城镇"), ("ws-nyz", "南阳镇"), ("ws-lqz", "鲁桥镇"),
    ("ws-lzz", "留庄镇"), ("ws-lcz", "两城镇"), ("ws-mpz", "马坡镇"), ("ws-wsdz", "微山岛镇"),
    ("ws-glx", "高楼乡"), ("ws-zlx", "张楼乡"), ("ws-zmx", "赵庙乡"), ("ws-xpx", "西平乡"),
]
ZONE = ("ws-kfq", "微山经济开发区", "开发区")

ALL_TOWNSHIPS = "各乡镇（街道）、开发区"

# Lead and cooperating units as the wording of each task suggests (short names).
RESPONSIBILITY: dict[str, tuple[list[str], list[str]]] = {
    "1": (["县应急局"], ["县住建局", "县交通局", "县卫健局", "县消防大队", "县市场监管局"]),
    "2": (["县应急局"], ["县住建局", "县交通局", "县工信局", "县市场监管局", "县消防大队"]),
    "3": (["县应急局"], ["县工信局", "县住建局", "县交通局", "县市场监管局"]),
    "4": (["县应急局"], ["县住建局", "县交通局", "县消防大队"]),
    "5": (["县应急局"], ["县工信局", "县市场监管局"]),
    "6": (["县自然资源局", "县应急局"], ["县发改局"]),
    "7": (["县应急局"], ["开发区", "县发改局"]),
    "8": (["县应急局"], ["县公安局"]),
    "9": (["县应急局"], ["县住建局", "县交通局", "县水务局", "县消防大队", "县工信局"]),
    "10": (["县工信局", "县应急局"], ["县交通局", "县公安局", "县发改局"]),
    "11": (["县住建局"], ["县交通局", "县水务局", "县消防大队", "县市场监管局"]),
    "12": (["县应急局"], ["县人社局", "县市场监管局"]),
    "13": (["县人社局"], ["县应急局"]),
    "14": (["县应急局"], ["县消防大队"]),
    "15": (["县应急局"], ["县工信局"]),
    "16": (["县应急局"], ["县住建局", "县交通局"]),
    "17": (["县应急局"], ["县住建局", "县交通局", "县市场监管局", "县综合执法局"]),
    "18": (["县应急局"], ["县工信局", "县住建局"]),
    "19": (["县应急局"], ["县综合执法局", ALL_TOWNSHIPS]),
    "20": (["县应急局"], ["县人社局"]),
    "21": (["县应急局"], ["县市场监管局", "县消防大队"]),
    "22": (["县公安局", "县应急局"], ["县南四湖管委会", "县交通局", "县农业农村局", ALL_TOWNSHIPS]),
    "23": (["县应急局"], ["县教体局", "县文旅局"]),
    "24": (["县应急局"], ["县交通局", "县农业农村局", "县教体局"]),
    "25": (["县应急局"], ["县市场监管局", "县公安局"]),
    "26": (["县应急局"], ["县住建局", "县综合执法局", "县农业农村局"]),
    "27": (["县住建局"], ["县应急局", "县交通局"]),
    "28": (["县应急局"], ["县住建局", "县工信局"]),
}


@dataclass
class ParsedActionLine:
    number: int
    title: str
    description: str = ""
    tasks: list[ParsedTask] = field(default_factory=list)


@dataclass
class ParsedTask:
    code: str
    paragraphs: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


_ACTION = re.compile(r"^（[一二三四五六七八九十]+）(开展.+?行动)。?$")
_REMEDIATION = re.compile(r"^[一二三四五六七八九十]+、持续深化(“四项整治”)")
_SECTION_START = re.compile(r"^\d+、\s*聚力实施")
_SECTION_END = re.compile(r"^四、强化保障措施")
_TASK = re.compile(r"^(\d+)\.(.+)$")


def parse_plan(text: str | None = None) -> list[ParsedActionLine]:
    """Action lines with their numbered tasks, in document order.

    The source numbers its action lines （一）…（八） with one number repeated; lines are
    numbered here by their order. Unnumbered paragraphs continue the task above them;
    a paragraph right under a heading describes the action line.
    """
    text = text if text is not None else PLAN_TEXT.read_text(encoding="utf-8")
    lines: list[ParsedActionLine] = []
    current_task: ParsedTask | None = None
    inside = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if _SECTION_START.match(line):
            inside = True
            continue
        if _SECTION_END.match(line):
            break
        if not inside:
            continue
        heading = _ACTION.match(line)
        remediation = _REMEDIATION.match(line)
        if heading or remediation:
            title = heading.group(1) if heading else "持续深化" + remediation.group(1)
            lines.append(ParsedActionLine(number=len(lines) + 1, title=title))
            current_task = None
            continue
        numbered = _TASK.match(line)
        if numbered and lines:
            current_task = ParsedTask(code=numbered.group(1), paragraphs=[numbered.group(2).strip()])
            lines[-1].tasks.append(current_task)
        elif current_task is not None:
            current_task.paragraphs.append(line)
        elif lines:
            lines[-1].description = (lines[-1].description + "\n" + line).strip()
    return lines
