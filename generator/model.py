"""Declare the records once: the validator, the editor schemas and the docs all come from here."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Generic, Literal, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .periods import Span, parse_month

# At least one character that is not white space (a full-width space alone is blank too).
Text = Annotated[str, StringConstraints(min_length=1, pattern=r"\S"), Field(description="文字，不可空白")]
Amount = Annotated[int, Field(description="金額（整數，單位見 budget.unit，不加千分位逗號）")]
# Decimals keep at most 15 significant digits, so that open data (JSON numbers) gives them back exactly.
Number = Annotated[int, Field()] | Annotated[Decimal, Field(max_digits=15)]

UnitKind = Literal["計數", "人數", "金額", "百分比", "比率"]
UNIT_KINDS: tuple[str, ...] = get_args(UnitKind)
# The units every agency has without declaring them, and what each one measures.
DEFAULT_UNITS: dict[str, str] = {
    "場次": "計數", "會議次": "計數", "案次": "計數", "案": "計數", "件": "計數", "機關": "計數", "次": "計數",
    "人次": "人數", "人": "人數", "名": "人數", "%": "百分比", "元": "金額", "千元": "金額", "萬元": "金額",
}
# Default units that count the same thing, so a breakdown may mix them (the source writes 案 and 件 for cases).
DEFAULT_SAME_AS = {"件": "案"}
_UNIT_HELP = "單位，照來源文件：" + "、".join(DEFAULT_UNITS) + "，或 agency.yml 的 units 宣告的單位"
MoneyUnit = Literal["元", "千元", "萬元"]
BudgetPhase = Literal["預算案", "法定預算", "決算"]

NamedPeriod = Literal[
    "上半年", "下半年", "全年", "第1季", "第2季", "第3季", "第4季",
    "1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月",
]
RocMonth = Annotated[
    str, StringConstraints(pattern=r"^\d{1,3}-\d{2}$"), Field(description="民國年-月，例如 89-07（月份寫兩位數）")
]


IsoDate = Annotated[
    str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$"), Field(description="日期，西元年-月-日，例如 2024-03-05")
]
WebAddress = Annotated[
    str, StringConstraints(pattern=r"^https?://[^\s<>\"'`]+$", max_length=2000),
    Field(description="網址，以 https:// 或 http:// 開頭，不含空格"),
]
Slug = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60),
    Field(description="代號：小寫英文、數字與 -，最多 60 字"),
]


class Record(BaseModel):
    """Refuse unknown fields and type coercion: what staff wrote is what is checked."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class PeriodRange(Record):
    """A period that is not a named part of one year: a range of months, or a total since a month."""

    start: RocMonth = Field(description="第一個月，民國年-月，例如 89-07")
    end: RocMonth = Field(description="最後一個月，民國年-月，例如 96-04")
    cumulative: bool = Field(False, description="數字是從 start 起的累計（文件寫「累計」時才填 true）")

    def span(self) -> Span:
        """Return the months the range covers (a malformed month is reported by the checks, never read here)."""
        start, end = parse_month(self.start) or (1, 1), parse_month(self.end) or (1, 1)
        return Span.between(start, end, self.cumulative)


class FigurePeriod(Record):
    """The period of a figure the document quotes from another period, for comparison."""

    year: int | None = Field(None, ge=1, le=300, description="民國年度（與 name 一起寫），例如 109")
    name: NamedPeriod | None = Field(None, description="期間，例如「下半年」「全年」「第1季」「7月」")
    start: RocMonth | None = Field(None, description="或：第一個月，民國年-月，例如 89-07（與 end 一起寫）")
    end: RocMonth | None = Field(None, description="或：最後一個月，民國年-月，例如 96-04")
    cumulative: bool = Field(False, description="數字是從 start 起的累計")

    def span(self) -> Span | None:
        """Return the months the period covers; None when it is written incompletely (the checks say so)."""
        if self.year is not None and self.name is not None:
            return Span.of(self.year, self.name)
        start, end = parse_month(self.start or ""), parse_month(self.end or "")
        return Span.between(start, end, self.cumulative) if start and end else None


class Source(Record):
    """Where a record was transcribed from."""

    document: Text = Field(description="來源文件的完整名稱，例如「高雄市政府政風處 113 年度施政計畫提要」")
    file: Text = Field(description="轉錄所依據的檔案名稱（給維護者核對，網頁上不顯示），例如 000_45d930248a68b91e.txt")
    url: WebAddress | None = Field(
        None, description="機關公布這份文件的網址（https:// 開頭）；網頁會連到這裡，讓讀者核對原始文件"
    )
    published: IsoDate | None = Field(None, description="文件的公布日期，西元年-月-日，例如 2024-03-05")


class UnitDeclaration(Record):
    """A unit the agency's documents use beyond the default list, and what it measures."""

    name: Text = Field(description="單位，照來源文件的寫法，例如「宗」「家」「場」")
    kind: UnitKind = Field(description="這個單位量的是什麼：計數、人數、金額、百分比或比率")
    same_as: Text | None = Field(None, description="與哪一個單位計算的是同一種東西（細分時可以混用），例如「件」")


class Agency(Record):
    """An agency whose documents the portal publishes (data/<代號>/agency.yml)."""

    name: Text = Field(description="機關全名，例如「高雄市政府政風處」")
    parent: Text | None = Field(None, description="上級機關，例如「高雄市政府」")
    units: list[UnitDeclaration] = Field(
        default_factory=list,
        description="預設清單以外、本機關文件使用的單位（預設：" + "、".join(DEFAULT_UNITS) + "）",
    )

    def unit_kinds(self) -> dict[str, str]:
        """Return every unit the agency may use, the defaults and its own, with what each measures."""
        return {**DEFAULT_UNITS, **{unit.name: unit.kind for unit in self.units}}

    def measure(self, unit: str) -> str:
        """Return the unit that `unit` counts the same thing as (itself when none), for comparing figures."""
        same = {**DEFAULT_SAME_AS, **{u.name: u.same_as for u in self.units if u.same_as}}
        seen = {unit}
        while unit in same and same[unit] not in seen:  # 宗 → 件 → 案: follow the chain, never round a loop
            unit = same[unit]
            seen.add(unit)
        return unit


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

    previous: Number = Field(
        description="更正前（原先公布）的數值；更正後的數值就是本筆資料目前的數值"
    )
    date: IsoDate = Field(description="更正日期，西元年-月-日，例如 2024-03-05")
    reason: Text = Field(description="更正原因，例如「原文件誤植，依機關更正函修正」")


class AmountColumn(Record):
    """A column of amounts in a budget table, named as the document names it."""

    name: Text = Field(description="欄名，照來源文件，例如「本年度預算數」「上年度預算數」「前年度決算數」「比較增減」")
    change: bool = Field(False, description="這一欄是增減（例如「比較增減」）：金額可為負數")


class BudgetLine(Record):
    """One line of a budget table, with its amounts, its notes and its sub-lines."""

    no: Text | None = Field(None, description="項次或代碼，照來源文件，例如「壹」「2.5.1.1-120101」")
    name: Text = Field(description="名稱，照來源文件，例如「一般行政」")
    level: Text | None = Field(None, description="層級，例如「款」「項」「目」「節」（來源文件有寫才填）")
    program: Text | None = Field(None, description="對應的工作計畫（項），例如「行政管理」")
    amount: Amount | None = Field(
        None,
        description="第一欄的金額，單位為 budget.unit，整數、不加千分位逗號；"
        "文件沒有寫而有下一層時可省略，網站會加總並標示為計算值",
    )
    amounts: dict[str, Amount] = Field(
        default_factory=dict,
        description="其他欄的金額，以欄名（budget.columns 的 name）為鍵，例如 上年度預算數: 21000003",
    )
    note: Text | None = Field(None, description="備考或說明，照來源文件逐字抄錄")
    figures: list[Figure] = Field(default_factory=list, description="備考中的每一個數字，原文片段必須出現在 note 中")
    lines: list[BudgetLine] = Field(default_factory=list, description="下一層的預算列（例如目之下的節）")
    corrections: list[Correction] = Field(default_factory=list, description="此金額的更正紀錄（依日期先後）")


class Budget(Record):
    """A budget table as the document publishes it: its unit, columns, nested lines and declared total."""

    source_section: Text = Field(description="來源文件中預算表的名稱")
    unit: MoneyUnit = Field(description="金額單位，照來源文件：元、千元或萬元")
    fund: Text | None = Field(None, description="預算來源，例如「主要預算」（來源文件有寫才填）")
    phase: BudgetPhase | None = Field(None, description="預算階段：預算案、法定預算或決算（來源文件有寫才填）")
    columns: list[AmountColumn] = Field(
        default_factory=list, description="金額欄，依來源順序；第一欄是 amount，其他欄寫在 amounts。只有一欄時可省略"
    )
    lines: list[BudgetLine] = Field(min_length=1, description="預算表的每一列，依來源順序")
    total: Amount | None = Field(
        None, description="來源文件所載的合計（第一欄）；有寫才填，各列加總必須等於此數。沒有寫時網站會自行加總並標示"
    )
    totals: dict[str, Amount] = Field(default_factory=dict, description="其他欄的合計，以欄名為鍵（來源文件有寫才填）")

    def column_names(self) -> list[str]:
        """Return the names of the amount columns, the first one being `amount`'s."""
        return [column.name for column in self.columns] or ["金額"]


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


class Target(Record):
    """The target value of a measurement indicator for one year (年度目標值), as the document writes it."""

    year: int = Field(ge=1, le=300, description="民國年度，例如 103；必須在計畫的年度之內")
    value: Number = Field(description="目標值，照來源文件（不加千分位逗號）")
    unit: Text = Field(description=_UNIT_HELP)
    quote: Text = Field(description="目標值在文件中的寫法，例如「6場」「100%」；必須包含 value")


class MeasureIndicator(Record):
    """A measurement indicator (衡量指標) of a strategic goal: its weight, how it is assessed, its targets."""

    no: Text | None = Field(None, description="指標的項次，例如「一」")
    name: Text = Field(description="衡量指標的名稱，照來源文件，不含權重，例如「推展會展活動」")
    weight: Number | None = Field(None, description="權重（百分比的數字），例如文件寫「(6%)」就填 6")
    system: Text | None = Field(None, description="評估體制，照來源文件，例如「1」（請加引號）")
    method: Text | None = Field(None, description="評估方式，照來源文件，例如「統計數據」「完成工作項目」")
    standard: Text | None = Field(None, description="衡量標準：公式或里程碑，照來源文件逐字抄錄")
    milestones: list[Figure] = Field(
        default_factory=list,
        description="衡量標準中的里程碑（例如「完成工程招標50%」），每個的原文要出現在 standard 中",
    )
    targets: list[Target] = Field(default_factory=list, description="各年度的目標值（年度目標值），依年度先後")
    indicator: Slug | None = Field(
        None, description="工作成果中追蹤這個指標的數字（indicators.yml 的 id）；有了才能比較目標與實際"
    )
    better: Literal["越高越好", "越低越好"] | None = Field(
        None, description="文件註明的判斷方向：越高越好或越低越好；沒有註明就不填（網站比較時視為越高越好）"
    )


class Goal(Record):
    """A strategic goal (策略績效目標) with its weight and measurement indicators."""

    no: Text | None = Field(None, description="目標的項次，例如「一」")
    name: Text = Field(description="策略績效目標的名稱，照來源文件，不含權重")
    weight: Number | None = Field(None, description="權重（百分比的數字），例如文件寫「(25%)」就填 25")
    indicators: list[MeasureIndicator] = Field(min_length=1, description="這個目標的衡量指標，依來源順序")


class Goals(Record):
    """The plan's strategic goals and measurement indicators with their section in the source."""

    source_section: Text = Field(description="來源文件中的章節或表格名稱，例如「策略績效目標與衡量指標」")
    entries: list[Goal] = Field(min_length=1, description="各項策略績效目標，依來源順序")
    note: Text | None = Field(None, description="表格的附註，照來源文件，例如「表格其後各列未能取得。」")


class Plan(Record):
    """An administrative plan or a budget (data/<代號>/plans/<年度>.yml); every section is optional."""

    year: int = Field(ge=1, le=300, description="民國年度，例如 113（檔名也必須是 113.yml）；多年期計畫填第一年")
    to_year: int | None = Field(
        None, ge=1, le=300,
        description="多年期計畫（例如中程施政計畫 104–107 年度）的最後一年；檔名寫成 104-107.yml",
    )
    title: Text = Field(description="文件標題")
    source: Source = Field(description="來源文件（名稱與檔名）")
    introduction: Text | None = Field(None, description="前言，照來源文件逐字抄錄")
    priorities: Priorities | None = Field(None, description="施政重點（來源文件有才填）")
    budget: Budget | None = Field(None, description="預算表（來源文件有才填）")
    items: PlanItems | None = Field(None, description="計畫項目（含目標、實施要領與預算；來源文件有才填）")
    goals: Goals | None = Field(
        None, description="策略績效目標與衡量指標（含權重、評估方式與年度目標值；來源文件有才填）"
    )

    @property
    def slug(self) -> str:
        """Return the file and URL stem of the plan: 113, or 104-107 for a plan over several years."""
        return f"{self.year}-{self.to_year}" if self.to_year else str(self.year)

    @property
    def name(self) -> str:
        """Name the plan's years: 113 年度, or 104 至 107 年度."""
        return f"{self.year} 至 {self.to_year} 年度" if self.to_year else f"{self.year} 年度"

    @property
    def kind(self) -> str:
        """Say what the document is: a 施政計畫, or only its 預算 or 策略績效目標與衡量指標 when that is all it has."""
        if not (self.priorities or self.items):
            if self.budget is not None and self.goals is None:
                return "預算"
            if self.goals is not None and self.budget is None:
                return "策略績效目標與衡量指標"
        return "施政計畫"

    @property
    def years(self) -> range:
        """Return the ROC years the plan covers."""
        return range(self.year, (self.to_year or self.year) + 1)

    @property
    def item_entries(self) -> list[PlanItem]:
        """Return the top-level plan items, none when the plan has no item section."""
        return self.items.entries if self.items else []


class Breakdown(Record):
    """A split of a figure into parts that must add up to it."""

    by: Text = Field(description="分類方式，例如「檢舉方式」「處理結果」")
    parts: list[Figure] = Field(min_length=2, description="各部分；數值加總必須等於上層數字")


class Figure(Record):
    """A published number in a report, with the exact words it was taken from."""

    label: Text = Field(description="這個數字計算的是什麼，例如「召開機關廉政會報」")
    value: Number = Field(description="數值，照來源文件（整數或小數，不加千分位逗號；減少寫成負數並加 change: true）")
    unit: Text = Field(description=_UNIT_HELP)
    change: bool = Field(
        False, description="這個數字是增減（例如「減少 27.11%」「增列 3,434,244元」）：可為負數，百分比可超過 100"
    )
    period: FigurePeriod | None = Field(
        None, description="文件引用其他期間的數字（例如「較 109 年同期 58 件」的 58）時，寫出那個期間；本期的數字不填"
    )
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


class TableColumn(Record):
    """A column of a statistics table, headed as the document heads it, with the period it covers."""

    label: Text = Field(description="欄名，照來源文件，例如「89年」「起訴」")
    period: FigurePeriod | None = Field(
        None, description="這一欄的期間（欄是年度或月份時填，例如 year: 89、name: 全年）"
    )
    unit: Text | None = Field(None, description="這一欄的單位（各欄單位不同時才填）")


class TableRow(Record):
    """A row of a statistics table: its label and one value per column."""

    label: Text = Field(description="列名，照來源文件，例如「起訴件數」")
    values: list[Number | Literal["－"] | None] = Field(
        min_length=1, description="每一欄的數值，依欄的順序；文件中空白或畫「－」的格子寫 －"
    )
    unit: Text | None = Field(None, description="這一列的單位（各列單位不同時才填）")
    change: bool = Field(False, description="這一列是增減（可為負數）")
    indicator: Slug | None = Field(
        None, description="這一列屬於哪一個指標（indicators.yml 的 id）；各欄的期間成為指標的歷期數值"
    )


class StatTable(Record):
    """A statistics table of a report: every cell is a figure with its unit and period, even with no sentence."""

    no: Text | None = Field(None, description="表號，照來源文件，例如「表3」")
    title: Text = Field(description="表名，照來源文件")
    page: Text | None = Field(None, description="在來源文件的第幾頁，例如「12」")
    unit: Text | None = Field(None, description="表中數字的單位（列或欄另有單位時以列、欄為準）")
    period: FigurePeriod | None = Field(
        None, description="表中數字的期間（欄另有期間時以欄為準；都沒寫時是報告的期間）"
    )
    columns: list[TableColumn] = Field(min_length=1, description="數值欄，依來源順序（不含列名那一欄）")
    rows: list[TableRow] = Field(min_length=1, description="各列，依來源順序")
    note: Text | None = Field(None, description="表的附註或資料來源說明，照來源文件")


class Report(Record):
    """A work report or statistics of any period (data/<代號>/reports/<年度>-h1|h2|year|q1|m07.yml, 89.07-96.04.yml)."""

    year: int | None = Field(None, ge=1, le=300, description="民國年度，例如 110（period 是起訖月份時不填）")
    period: NamedPeriod | PeriodRange = Field(
        description="期間：上半年、下半年、全年、第1季…第4季、1月…12月；或起訖月份 {start: 89-07, end: 96-04}"
    )
    title: Text = Field(description="文件標題")
    source: Source = Field(description="來源文件（名稱與檔名）")
    chapters: list[Chapter] = Field(default_factory=list, description="各章（只有統計表的文件可省略）")
    tables: list[StatTable] = Field(default_factory=list, description="統計表：每一格都是一個數字")

    @property
    def span(self) -> Span:
        """Return the months the report covers (a named period without a year is reported by the checks)."""
        if isinstance(self.period, PeriodRange):
            return self.period.span()
        return Span.of(self.year or 0, self.period)

    @property
    def kind(self) -> str:
        """Say what the document is: 工作成果, or 統計 when it holds only statistics tables."""
        return "統計" if self.tables and not self.chapters else "工作成果"

    @property
    def slug(self) -> str:
        """Return the file and URL stem of the report, e.g. 110-h2 or 89.07-96.04."""
        return self.span.slug

    @property
    def name(self) -> str:
        """Name the report's period: 110 年下半年."""
        return self.span.name


class Indicator(Record):
    """A figure that recurs across reports, tracked over time (data/<代號>/indicators.yml)."""

    id: Slug = Field(description="指標代號，小寫英文、數字與 -，例如 integrity-meetings；定了就不要改")
    name: Text = Field(description="指標名稱，例如「召開機關廉政會報」")
    unit: Text = Field(description=_UNIT_HELP)
    definition: Text = Field(description="白話定義：這個數字計算的是什麼、怎麼算")
    serves: list[Text] = Field(
        min_length=1,
        description="服務的計畫項目：由最上層起的計畫名稱，例如 [預防貪瀆, 政風防弊]；各年度計畫同名項目都會連結",
    )


class Indicators(Record):
    """The agency's indicator catalogue."""

    indicators: list[Indicator] = Field(min_length=1, description="各項指標")


M = TypeVar("M", bound=Record)


@dataclass(frozen=True, eq=False)
class Sourced(Generic[M]):
    """A validated record together with the data file it came from."""

    path: str
    record: M
    digest: str = ""  # of the file's bytes and all it was checked against
    # Where the record goes among its agency's (a plan's year, a report's period), when known without reading it.
    order: int | Span | None = None

    def place(self) -> int | Span | None:
        """Return where the record goes among its agency's: a plan's year, a report's period."""
        if self.order is not None:
            return self.order
        record = self.record
        return record.year if isinstance(record, Plan) else record.span if isinstance(record, Report) else None

    def release(self) -> None:
        """Let the record go where it can be read again when used again (a record held here stays)."""

    def __eq__(self, other: object) -> bool:
        """Compare the data file and the record (one taken from the cache equals the one it was made from)."""
        return isinstance(other, Sourced) and (self.path, self.record) == (other.path, other.record)

    def __hash__(self) -> int:
        return hash((self.path, self.record))


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


for _model in (BudgetLine, Budget, MeasureIndicator, Goal, Goals, Plan, Breakdown, Figure, Report, StatTable):
    _model.model_rebuild()
