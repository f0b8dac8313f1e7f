"""Declare the records once: the validator, the editor schemas and the docs all come from here."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Generic, Literal, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .formats import period_name, period_slug

Text = Annotated[str, StringConstraints(min_length=1), Field(description="文字，不可空白")]
Amount = Annotated[int, Field(ge=0, description="金額（整數，單位見 unit，不加千分位逗號）")]

Unit = Literal["場次", "會議次", "案次", "案", "件", "人次", "人", "名", "機關", "次", "%"]
UNITS: tuple[str, ...] = get_args(Unit)
# Units that count the same thing, so a breakdown may mix them (the source writes 案 and 件 for cases).
UNIT_KINDS = {"案": "案件", "件": "案件"}

Period = Literal["上半年", "下半年", "全年"]


IsoDate = Annotated[
    str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$"), Field(description="日期，西元年-月-日，例如 2024-03-05")
]
Slug = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$"), Field(description="代號：小寫英文、數字與 -")
]


class Record(BaseModel):
    """Refuse unknown fields and type coercion: what staff wrote is what is checked."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Source(Record):
    """Where a record was transcribed from."""

    document: Text = Field(description="來源文件的完整名稱，例如「高雄市政府政風處 113 年度施政計畫提要」")
    file: Text = Field(description="來源文件的檔名，例如 000_45d930248a68b91e.txt")


class Agency(Record):
    """An agency whose documents the portal publishes (data/<代號>/agency.yml)."""

    name: Text = Field(description="機關全名，例如「高雄市政府政風處」")
    parent: Text | None = Field(None, description="上級機關，例如「高雄市政府」")


class Priority(Record):
    """One of the plan's priorities (施政重點)."""

    no: Text = Field(description="項次，例如「一」")
    text: Text = Field(description="施政重點全文，照來源文件逐字抄錄")


class Priorities(Record):
    """The plan's priorities with their section in the source."""

    source_section: Text = Field(description="來源文件中的章節名稱")
    entries: list[Priority] = Field(min_length=1, description="各項施政重點，依來源順序")


class Correction(Record):
    """A published correction of a number: what it was, when it changed, and why."""

    previous: Annotated[int, Field(ge=0)] | Annotated[Decimal, Field(ge=0)] = Field(
        description="更正前（原先公布）的數值；更正後的數值就是本筆資料目前的數值"
    )
    date: IsoDate = Field(description="更正日期，西元年-月-日，例如 2024-03-05")
    reason: Text = Field(description="更正原因，例如「原文件誤植，依機關更正函修正」")


class BudgetLine(Record):
    """One line of the plan-to-budget table (施政計畫與預算配合對照表)."""

    no: Text = Field(description="類的項次，例如「壹」")
    category: Text = Field(description="類，例如「一般行政」")
    program: Text = Field(description="項（工作計畫），例如「行政管理」")
    amount: Amount = Field(description="預算金額，單位為 budget.unit（千元），整數，不加千分位逗號")
    note: Text | None = Field(None, description="備考（來源文件有寫才填）")
    corrections: list[Correction] = Field(default_factory=list, description="此金額的更正紀錄（依日期先後）")


class Budget(Record):
    """The plan's budget table; its lines must add up to the declared total."""

    source_section: Text = Field(description="來源文件中預算表的名稱")
    unit: Literal["千元"] = Field(description="金額單位，目前只接受「千元」")
    fund: Text = Field(description="預算來源，例如「主要預算」")
    lines: list[BudgetLine] = Field(min_length=1, description="預算表的每一列，依來源順序")
    total: Amount = Field(description="來源文件所載的合計金額；各列金額加總必須等於此數")


class PlanItem(Record):
    """A plan item (計畫) with its objective, steps, budget and sub-items."""

    no: Text = Field(description="項次，例如「壹」「一」「（一）」")
    name: Text = Field(description="計畫名稱")
    program: Text | None = Field(None, description="對應的預算「項」（工作計畫），只有最上層項目填寫")
    budget: Amount | None = Field(None, description="此計畫的預算金額（千元），須與預算表同項次的金額相同")
    objective: Text | None = Field(None, description="計畫目標，照來源文件逐字抄錄")
    steps: list[Text] = Field(default_factory=list, description="實施要領，每一點一筆，不含前面的編號")
    children: list[PlanItem] = Field(default_factory=list, description="下一層的計畫項目")


class PlanItems(Record):
    """The plan items with their section in the source."""

    source_section: Text = Field(description="來源文件中的章節名稱")
    entries: list[PlanItem] = Field(min_length=1, description="最上層的計畫項目，依來源順序")


class Plan(Record):
    """An annual administrative plan with its budget (data/<代號>/plans/<年度>.yml)."""

    year: int = Field(ge=1, le=300, description="民國年度，例如 113（檔名也必須是 113.yml）")
    title: Text = Field(description="文件標題")
    source: Source = Field(description="來源文件（名稱與檔名）")
    introduction: Text | None = Field(None, description="前言，照來源文件逐字抄錄")
    priorities: Priorities = Field(description="施政重點")
    budget: Budget = Field(description="施政計畫與預算配合對照表")
    items: PlanItems = Field(description="計畫項目（含目標、實施要領與預算）")


class Breakdown(Record):
    """A split of a figure into parts that must add up to it."""

    by: Text = Field(description="分類方式，例如「檢舉方式」「處理結果」")
    parts: list[Figure] = Field(min_length=2, description="各部分；數值加總必須等於上層數字")


class Figure(Record):
    """A published number in a report, with the exact words it was taken from."""

    label: Text = Field(description="這個數字計算的是什麼，例如「召開機關廉政會報」")
    value: Annotated[int, Field(ge=0)] | Annotated[Decimal, Field(ge=0)] = Field(
        description="數值，照來源文件（整數或小數，不加千分位逗號）"
    )
    unit: Unit = Field(description="單位：" + "、".join(UNITS))
    quote: Text = Field(description="本數字在內文中的原文片段，必須逐字出現在 text 中，例如「計95會議次」")
    breakdowns: list[Breakdown] = Field(default_factory=list, description="細分（可多種），各部分加總須等於數值")
    indicator: Slug | None = Field(None, description="這個數字屬於哪一個指標（indicators.yml 中的 id），跨期比較用")
    corrections: list[Correction] = Field(default_factory=list, description="此數字的更正紀錄（依日期先後）")


class ReportItem(Record):
    """A numbered item of a report section: a narrative with its figures."""

    no: Text | None = Field(None, description="項次，例如 \"1\"（請加引號）")
    title: Text | None = Field(None, description="小標題（來源有才填）")
    text: Text = Field(description="內文，照來源文件逐字抄錄")
    figures: list[Figure] = Field(default_factory=list, description="內文中出現的每一個數字")


class ReportSection(Record):
    """A section of a report chapter; holds items, or its own text and figures."""

    no: Text = Field(description="項次，例如「（一）」")
    title: Text | None = Field(None, description="標題（來源有才填）")
    text: Text | None = Field(None, description="內文（沒有分項時才填）")
    figures: list[Figure] = Field(default_factory=list, description="內文中出現的每一個數字")
    items: list[ReportItem] = Field(default_factory=list, description="分項")


class Chapter(Record):
    """A chapter of a report."""

    no: Text = Field(description="章次，例如「一」")
    title: Text = Field(description="章名")
    sections: list[ReportSection] = Field(min_length=1, description="各節")


class Report(Record):
    """A half-year or annual work report (data/<代號>/reports/<年度>-h1|h2|year.yml)."""

    year: int = Field(ge=1, le=300, description="民國年度，例如 110")
    period: Period = Field(description="期間：上半年、下半年或全年")
    title: Text = Field(description="文件標題")
    source: Source = Field(description="來源文件（名稱與檔名）")
    chapters: list[Chapter] = Field(min_length=1, description="各章")

    @property
    def slug(self) -> str:
        """Return the file and URL stem of the report, e.g. 110-h2."""
        return period_slug(self.year, self.period)

    @property
    def name(self) -> str:
        """Name the report's period: 110 年下半年."""
        return period_name(self.year, self.period)


class Indicator(Record):
    """A figure that recurs across reports, tracked over time (data/<代號>/indicators.yml)."""

    id: Slug = Field(description="指標代號，小寫英文、數字與 -，例如 integrity-meetings；定了就不要改")
    name: Text = Field(description="指標名稱，例如「召開機關廉政會報」")
    unit: Unit = Field(description="單位：" + "、".join(UNITS))
    definition: Text = Field(description="白話定義：這個數字計算的是什麼、怎麼算")
    serves: list[Text] = Field(
        min_length=1,
        description="服務的計畫項目：由最上層起的計畫名稱，例如 [預防貪瀆, 政風防弊]；各年度計畫同名項目都會連結",
    )


class Indicators(Record):
    """The agency's indicator catalogue."""

    indicators: list[Indicator] = Field(min_length=1, description="各項指標")


M = TypeVar("M", bound=Record)


@dataclass(frozen=True)
class Sourced(Generic[M]):
    """A validated record together with the data file it came from."""

    path: str
    record: M


@dataclass
class AgencyData:
    """Everything the portal holds about one agency."""

    id: str
    path: str
    agency: Agency
    plans: list[Sourced[Plan]] = field(default_factory=list)
    reports: list[Sourced[Report]] = field(default_factory=list)
    indicators: Sourced[Indicators] | None = None


@dataclass
class Portal:
    """All validated records of a run: the input of the generation phase."""

    agencies: list[AgencyData]
    # Reports checked but not kept (load_portal(..., keep_reports=False), for `portal check`).
    reports_not_kept: int = 0

    def counts(self) -> tuple[int, int, int]:
        """Return how many agencies, plans and reports passed the checks."""
        plans = sum(len(a.plans) for a in self.agencies)
        reports = sum(len(a.reports) for a in self.agencies) + self.reports_not_kept
        return len(self.agencies), plans, reports

