"""The demo's jurisdictions: the city of Jining (济宁市) and two of its counties. Weishan's units and plan come from
its document (demo/weishan.py); Jiaxiang (嘉祥县) is generated like it — the same plan text and departments under its
own codes, with its own townships — so the city has two counties to roll up and rank."""

from __future__ import annotations

from dataclasses import dataclass

from . import weishan

CITY_OFFICE = ("jn-office", "济宁市安全生产委员会办公室", "市安委办")
CITY_SLUG = "jining-2024"
CITY_NAME = "济宁市安全生产治本攻坚三年行动（2024—2026年）"


@dataclass(frozen=True)
class County:
    slug: str
    prefix: str  # unit codes: "ws-" for Weishan
    name: str  # 微山县
    short: str  # 微 (notice numbers: 微安督〔2024〕3号)
    region: str  # the administrative division code in enterprises' credit codes
    townships: tuple[tuple[str, str], ...]
    zone: tuple[str, str, str]

    @property
    def stem(self) -> str:
        return self.name.removesuffix("县")

    def code(self, weishan_code: str) -> str:
        """The unit of this county that does what ``weishan_code`` does in Weishan."""
        return self.prefix + weishan_code.removeprefix("ws-")

    @property
    def office(self) -> tuple[str, str, str]:
        return (self.code("ws-office"), f"{self.name}安全生产委员会办公室", "县安委办")

    @property
    def office_aliases(self) -> str:
        return f"县安委会办公室、{self.name}安委办"

    def departments(self) -> list[tuple[str, str, str, str]]:
        return [(self.code(code), name.replace("微山", self.stem), short.replace("微山", self.stem), aliases)
                for code, name, short, aliases in weishan.DEPARTMENTS]

    @property
    def campaign_name(self) -> str:
        return f"{self.name}安全生产治本攻坚三年行动（2024—2026年）"

    @property
    def plan_title(self) -> str:
        return f"{self.name}安全生产治本攻坚三年行动实施方案"


WEISHAN = County("weishan-2024", "ws-", "微山县", "微", "370826", tuple(weishan.TOWNSHIPS), weishan.ZONE)
JIAXIANG = County(
    "jiaxiang-2024", "jx-", "嘉祥县", "嘉", "370829",
    (("jx-jxjd", "嘉祥街道"), ("jx-wlsjd", "卧龙山街道"), ("jx-zfz", "纸坊镇"), ("jx-lbsz", "梁宝寺镇"),
     ("jx-hyz", "红运镇"), ("jx-wzz", "万张镇"), ("jx-mgjz", "孟姑集镇"), ("jx-lstz", "老僧堂镇"),
     ("jx-hgx", "黄垓乡"), ("jx-jtz", "金屯镇"), ("jx-dzlz", "大张楼镇"), ("jx-mcz", "马村镇"),
     ("jx-tlz", "疃里镇"), ("jx-mdz", "满硐镇"), ("jx-zsz", "仲山镇")),
    ("jx-kfq", "嘉祥经济开发区", "开发区"),
)
COUNTIES = (WEISHAN, JIAXIANG)
