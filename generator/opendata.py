"""Publish every figure as open data: CSV and JSON per dataset and per chart, a Data Package and DCAT."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .charts import Chart
from .formats import roc_year, western_year
from .model import AgencyData, Budget, Plan, Portal, Report
from .paths import opendata_dir, report_dir
from .trends import Judged
from .walk import FigureAt, all_figures, budget_lines, budget_total, goal_measures, line_amount, plan_items

LICENSE = {
    "name": "OGDL-Taiwan-1.0",
    "title": "政府資料開放授權條款－第1版",
    "path": "https://data.gov.tw/license",
}


@dataclass(frozen=True)
class Column:
    """A column of a table, with its Data Package type and a description that states units."""

    name: str
    type: str
    title: str
    description: str


@dataclass(frozen=True)
class Table:
    """A downloadable table: where it goes, what it holds, and its rows."""

    name: str
    path: str
    title: str
    description: str
    period: str
    source: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]

    def csv(self) -> bytes:
        """Return UTF-8 CSV with a BOM (so Excel in Taiwan reads Chinese), plain numbers, CRLF lines."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([c.name for c in self.columns])
        writer.writerows([[_cell(v) for v in row] for row in self.rows])
        return ("\ufeff" + out.getvalue()).encode("utf-8")

    def json(self) -> bytes:
        """Return the table as JSON: its metadata, column descriptions and one object per row."""
        names = [c.name for c in self.columns]
        return json_bytes({
            "title": self.title,
            "description": self.description,
            "period": self.period,
            "source": self.source,
            "license": LICENSE,
            "fields": [c.__dict__ for c in self.columns],
            "rows": [dict(zip(names, row, strict=True)) for row in self.rows],
        })


def _cell(value: object) -> object:
    """Write a CSV cell: blank for none, true/false as Table Schema spells booleans, numbers as numbers.

    Text that a spreadsheet would run as a formula (starting with = + - @, tab or CR) gets a leading
    apostrophe, as OWASP recommends; numeric columns hold numbers, never text, so they are left alone.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value[:1] in _FORMULA:
        return "'" + value
    return value


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def json_bytes(doc: object) -> bytes:
    """Write a JSON document as indented UTF-8 (decimals as JSON numbers), ending with a newline."""
    return (json.dumps(doc, ensure_ascii=False, indent=2, default=_number) + "\n").encode("utf-8")


def _number(value: object) -> float:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


_COMMON = (
    Column("agency", "string", "機關", "發布文件的機關"),
    Column("roc_year", "integer", "民國年度", "民國紀年的年度，例如 113"),
    Column("year", "integer", "西元年", "西元年，等於民國年加 1911"),
)


_FIGURE_COLUMNS = (
    Column("ref", "string", "出處", "章節，例如 三、（一）"),
    Column("label", "string", "項目", "這個數字計算的是什麼"),
    Column("value", "number", "數值", "數值，照來源文件"),
    Column("unit", "string", "單位", "數值的單位，例如 案、人次、%"),
    Column("change", "boolean", "增減", "true 表示這個數字是增減（例如「減少 27.11%」），負數為減少"),
    Column("breakdown", "string", "細分方式", "細分的分類方式（最上層數字為空白）"),
    Column("part_of", "string", "上層項目", "細分所屬的數字（最上層數字為空白）"),
    Column("quote", "string", "原文", "數字在來源文件中的原文"),
)


def chart_table(chart: Chart) -> Table:
    """Describe the numbers behind one chart, stored next to the chart as CSV and JSON."""
    stem = chart.file.removesuffix(".svg")
    return Table(
        name=stem.replace("/", "-").lower(),
        path=stem,
        title=chart.title,
        description=chart.alt,
        period=chart.period,
        source=chart.document,
        columns=(
            _COMMON[0],
            Column("period", "string", "期間", "圖中數字所屬的期間，照來源文件（各期比較的圖，每一項就是一期）"),
            Column("label", "string", "項目", "圖中的項目"),
            Column("value", "number", "數值", "數值，照來源文件"),
            Column("unit", "string", "單位", "數值的單位（千元為新臺幣千元）"),
        ),
        rows=tuple((chart.agency, chart.period, label, value, chart.unit_of(i))
                   for i, (label, value) in enumerate(zip(chart.labels, chart.values, strict=True))),
    )


def datasets(portal: Portal, judged: dict[str, dict[tuple[str, int, int], list[Judged]]]) -> list[Table]:
    """Return the per-document datasets of every agency, in the portal's order."""
    return [table for agency in portal.agencies for table in agency_datasets(agency, judged.get(agency.id, {}))]


def agency_datasets(agency: AgencyData, judged: dict[tuple[str, int, int], list[Judged]]) -> list[Table]:
    """Return an agency's per-document datasets: each plan's budget, goals and items, each report's figures."""
    tables: list[Table] = []
    for sourced in agency.plans:
        plan = sourced.record
        common = (agency.agency.name, plan.year, western_year(plan.year))
        period = f"{plan.year} 年度（{western_year(plan.year)} 年）"
        base = f"{opendata_dir(agency)}/{plan.slug}"
        if plan.budget is not None:
            tables.extend(_budget_tables(agency.agency.name, f"{agency.id}-{plan.slug}", base, plan, plan.budget))
        if plan.goals is not None:
            tables.append(_goals_table(agency.agency.name, f"{agency.id}-{plan.slug}", base, plan, judged))
        if plan.items is None:
            continue
        unit = plan.budget.unit if plan.budget else ""
        tables.append(Table(
            name=f"{agency.id}-{plan.slug}-plan-items",
            path=f"{base}-plan-items",
            title=f"{agency.agency.name} {plan.year} 年度施政計畫項目",
            description=f"{plan.year} 年度施政計畫的每一個計畫項目：目標、實施要領與預算（{unit or '千元'}）。",
            period=period,
            source=f"《{plan.source.document}》〈{plan.items.source_section}〉",
            columns=(*_COMMON,
                     Column("ref", "string", "項次路徑", "計畫在層級中的位置，例如 貳/二/（一）"),
                     Column("level", "integer", "層級", "1 為最上層"),
                     Column("name", "string", "計畫名稱", "計畫名稱"),
                     Column("program", "string", "工作計畫", "對應的預算項（只有最上層有）"),
                     Column(f"budget_{MONEY_FIELD.get(unit, 'thousand_ntd')}", "integer",
                            f"預算（{unit or '千元'}）",
                            f"此計畫的預算，單位：新臺幣{unit or '千元'}（只有最上層有）"),
                     Column("objective", "string", "計畫目標", "計畫目標"),
                     Column("steps", "string", "實施要領", "實施要領，每點一行")),
            rows=tuple((*common, *row) for row in _item_rows(plan)),
        ))
    for sourced_report in agency.reports:
        report = sourced_report.record
        tables.append(Table(
            name=f"{report_dir(agency, report).replace('/reports/', '-')}-figures",
            path=f"{opendata_dir(agency)}/{report.slug}-figures",
            title=f"{agency.agency.name} {report.name}{report.kind}數字",
            description=f"{report.name}{report.kind}中的每一個數字，附原文與出處；細分的各部分另列一行，"
            "統計表的每一格各一行（原文為列名與欄名）。",
            period=f"{report.name}（{report.span.western} 年）",
            source=f"《{report.source.document}》",
            columns=(*_COMMON, Column("period", "string", "期間", _PERIOD_HELP), *_FIGURE_COLUMNS),
            rows=tuple(_report_rows(agency.agency.name, report)),
        ))
    return tables


# Money units as field-name suffixes, so that a column's name says its unit.
MONEY_FIELD = {"元": "ntd", "千元": "thousand_ntd", "萬元": "ten_thousand_ntd"}


def _budget_tables(agency_name: str, name: str, base: str, plan: Plan, budget: Budget) -> list[Table]:
    """Describe a budget table as data: every line with every column, and the figures of its notes."""
    unit, names = budget.unit, budget.column_names()
    suffix = MONEY_FIELD[unit]
    common = (agency_name, plan.year, western_year(plan.year))
    period = f"{plan.year} 年度（{western_year(plan.year)} 年）"
    source = f"《{plan.source.document}》〈{budget.source_section}〉"
    total = budget_total(budget)
    stated = (f"來源文件所載合計 {total.value:,} {unit}" if not total.computed
              else f"來源文件未載合計，各列加總為 {total.value or 0:,} {unit}（本網站計算）")
    columns: list[Column] = []
    for n, column in enumerate(names, 1):
        field = "amount" if n == 1 else f"amount{n}"
        columns += [
            Column(f"{field}_{suffix}", "integer", f"{column}（{unit}）",
                   f"{column}，單位：新臺幣{unit}；文件未載者空白"),
            Column(f"{field}_computed_{suffix}", "integer", f"{column}（本網站加總）",
                   f"文件未載此列的{column}時，本網站加總下一層所得的金額（{unit}）；文件有載者空白"),
        ]
    rows = []
    for at in budget_lines(budget):
        line = at.line
        amounts: list[int | None] = []
        for other in [None, *names[1:]]:
            own, found = (line.amount if other is None else line.amounts.get(other)), line_amount(line, other)
            amounts += [own, found.value if found.computed else None]
        rows.append((
            *common, ".".join(map(str, at.positions)), at.depth + 1, line.no, line.name, line.level, line.program,
            *amounts, budget.fund, budget.phase, line.note,
        ))
    tables = [Table(
        name=f"{name}-budget",
        path=f"{base}-budget",
        title=f"{agency_name} {plan.year} 年度預算",
        description=f"{budget.source_section}的每一列，含各層（單位：新臺幣{unit}）；{stated}。",
        period=period,
        source=source,
        columns=(*_COMMON,
                 Column("ref", "string", "位置", "預算列在表中的位置，例如 5.2 為第 5 列的第 2 個下一層"),
                 Column("level", "integer", "層級", "1 為最上層"),
                 Column("no", "string", "項次或代碼", "照來源文件"),
                 Column("name", "string", "名稱", "照來源文件"),
                 Column("level_name", "string", "層級名稱", "例如 款、項、目、節（來源文件有寫才有）"),
                 Column("program", "string", "工作計畫", "對應的工作計畫（項）"),
                 *columns,
                 Column("fund", "string", "預算來源", "預算來源（來源文件有寫才有）"),
                 Column("phase", "string", "預算階段", "預算案、法定預算或決算（來源文件有寫才有）"),
                 Column("note", "string", "備考", "來源文件中這一列的備考或說明（沒有則空白）")),
        rows=tuple(rows),
    )]
    notes = _figure_rows(figure for at in budget_lines(budget) for figure in at.figures())
    if notes:
        tables.append(Table(
            name=f"{name}-budget-notes",
            path=f"{base}-budget-notes",
            title=f"{agency_name} {plan.year} 年度預算備考中的數字",
            description=f"{budget.source_section}各列備考中的每一個數字，附原文。",
            period=period,
            source=source,
            columns=(*_COMMON, *_FIGURE_COLUMNS),
            rows=tuple((*common, *row) for row in notes),
        ))
    return tables


def _goals_table(
    agency_name: str, name: str, base: str, plan: Plan, judged: dict[tuple[str, int, int], list[Judged]]
) -> Table:
    """Describe a plan's goals and measurement indicators as data: one row per yearly target, with the result."""
    assert plan.goals is not None
    rows: list[tuple[Any, ...]] = []
    for at in goal_measures(plan):
        goal, measure = at.goal, at.measure
        milestones = "；".join(f"{m.label} {m.value}{m.unit}" for m in measure.milestones) or None
        head = (agency_name, plan.year, western_year(plan.year), goal.no, goal.name, goal.weight, measure.no,
                measure.name, measure.weight, measure.system, measure.method, measure.standard, milestones,
                measure.better)
        results = judged.get(at.key, [])
        for j in results:
            actual = j.actual
            rows.append((*head, j.target.year, j.target.value, j.target.unit, j.target.quote,
                         actual.value if actual else None, actual.span.name if actual else None,
                         None if j.met is None else ("達成" if j.met else "未達成")))
        if not results:
            rows.append((*head, *(None,) * 7))
    return Table(
        name=f"{name}-goals",
        path=f"{base}-goals",
        title=f"{agency_name} {plan.name}策略績效目標與衡量指標",
        description=f"{plan.name}{plan.kind}的每一個衡量指標：權重、評估方式、衡量標準與各年度目標值；"
        "有全年工作成果時並列實際值與達成情形（本網站判斷）。",
        period=roc_year(plan.year, plan.to_year),
        source=f"《{plan.source.document}》〈{plan.goals.source_section}〉",
        columns=(*_COMMON,
                 Column("goal_no", "string", "目標項次", "策略績效目標的項次"),
                 Column("goal", "string", "策略績效目標", "照來源文件"),
                 Column("goal_weight_pct", "number", "目標權重（%）", "目標的權重，百分比"),
                 Column("indicator_no", "string", "指標項次", "衡量指標的項次"),
                 Column("indicator", "string", "衡量指標", "照來源文件"),
                 Column("indicator_weight_pct", "number", "指標權重（%）", "衡量指標的權重，百分比"),
                 Column("system", "string", "評估體制", "照來源文件"),
                 Column("method", "string", "評估方式", "照來源文件"),
                 Column("standard", "string", "衡量標準", "公式或里程碑，照來源文件"),
                 Column("milestones", "string", "里程碑", "衡量標準中的里程碑與其百分比，以「；」分隔"),
                 Column("better", "string", "判斷方向", "文件註明的判斷方向：越高越好或越低越好（未註明則空白）"),
                 Column("target_year", "integer", "目標年度", "民國年度"),
                 Column("target_value", "number", "目標值", "照來源文件"),
                 Column("target_unit", "string", "目標值單位", "照來源文件"),
                 Column("target_text", "string", "目標值原文", "目標值在文件中的寫法"),
                 Column("actual_value", "number", "實際值", "同年度全年工作成果中該指標的數字（沒有則空白）"),
                 Column("actual_period", "string", "實際值期間", "實際值出自哪一期工作成果"),
                 Column("met", "string", "達成情形", "本網站比較實際值與目標值的結果：達成或未達成（無法判斷則空白）")),
        rows=tuple(rows),
    )


def _item_rows(plan: Plan) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for at in plan_items(plan):
        item = at.item
        steps = "\n".join(f"{n}. {step}" for n, step in enumerate(item.steps, 1))
        rows.append(("/".join(at.path), at.depth + 1, item.name, item.program, item.budget, item.objective, steps))
    return rows


_PERIOD_HELP = (
    "數字所屬的期間：上半年、下半年、全年、第1季、7月，或起訖月份；文件引用其他期間的數字時是那個期間，"
    "民國年度與西元年也隨之"
)


def _report_rows(agency_name: str, report: Report) -> list[tuple[Any, ...]]:
    """Write a report's figures as rows, each dated by its own period when the document quotes another one."""
    rows = []
    for at, row in zip(all_figures(report), _figure_rows(all_figures(report)), strict=True):
        span = (at.figure.period.span() if at.figure.period else None) or report.span
        rows.append((agency_name, span.year, western_year(span.year), span.named or span.name, *row))
    return rows


def _figure_rows(figures: Iterable[FigureAt]) -> list[tuple[Any, ...]]:
    """Write figures as rows of `_FIGURE_COLUMNS`."""
    rows: list[tuple[Any, ...]] = []
    for at in figures:
        figure, parent = at.figure, at.parent.label if at.parent else None
        rows.append((at.where, figure.label, figure.value, figure.unit, figure.change, at.by, parent, figure.quote))
    return rows


def package(tables: list[Table], name: str, title: str, created: str) -> dict[str, Any]:
    """Describe every CSV as a Data Package v2 with table schemas, licence and sources."""
    return {**_package_head(name, title, created), "resources": [resource(t) for t in tables]}


def _package_head(name: str, title: str, created: str) -> dict[str, Any]:
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": name,
        "title": title,
        "created": created,
        "licenses": [LICENSE],
    }


def resource(t: Table) -> dict[str, Any]:
    """Describe one CSV as a resource of the Data Package."""
    return {
        "name": t.name,
        "path": t.path.removeprefix("opendata/") + ".csv",
        "type": "table",
        "title": t.title,
        "description": t.description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8-sig",
        "sources": [{"title": t.source}],
        "licenses": [LICENSE],
        "schema": {"fields": [
            {"name": c.name, "type": c.type, "title": c.title, "description": c.description}
            for c in t.columns
        ]},
    }


def dcat(tables: list[Table], publisher: str, title: str, issued: str) -> dict[str, Any]:
    """Describe the datasets as a DCAT 3 catalogue in JSON-LD for harvesters."""
    return {**_catalogue_head(publisher, title, issued), "dcat:dataset": [dataset(t) for t in tables]}


def _catalogue_head(publisher: str, title: str, issued: str) -> dict[str, Any]:
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
        },
        "@type": "dcat:Catalog",
        "dct:title": title,
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": publisher},
        "dct:license": {"@id": LICENSE["path"]},
        "dct:issued": issued,
    }


def dataset(t: Table) -> dict[str, Any]:
    """Describe one table as a dataset of the DCAT catalogue, with its CSV and JSON."""
    return {
        "@id": t.name,
        "@type": "dcat:Dataset",
        "dct:title": t.title,
        "dct:description": t.description,
        "dct:temporal": t.period,
        "dct:source": t.source,
        "dct:license": {"@id": LICENSE["path"]},
        "dct:accrualPeriodicity": "不定期（機關發布新文件時更新）",
        "dcat:distribution": [
            {
                "@type": "dcat:Distribution",
                "dcat:downloadURL": {"@id": t.path.removeprefix("opendata/") + ext},
                "dcat:mediaType": media,
                "dct:format": ext[1:].upper(),
            }
            for ext, media in ((".csv", "text/csv"), (".json", "application/json"))
        ],
    }


def entry_text(entry: dict[str, Any]) -> bytes:
    """Write one entry of a catalogue's list as `json_bytes` writes it there (indented two levels deep), in UTF-8.

    An agency's entries are written once and kept with its datasets; `listed_bytes` puts them together.
    """
    lines = json.dumps(entry, ensure_ascii=False, indent=2, default=_number).split("\n")  # only JSON's own breaks
    return "\n".join("    " + line for line in lines).encode("utf-8")


def package_bytes(entries: list[bytes], name: str, title: str, created: str) -> bytes:
    """Return the Data Package, byte for byte as `json_bytes(package(...))`, from its resources' `entry_text`."""
    return _listed_bytes(_package_head(name, title, created), "resources", entries)


def catalogue_bytes(entries: list[bytes], publisher: str, title: str, issued: str) -> bytes:
    """Return the DCAT catalogue, byte for byte as `json_bytes(dcat(...))`, from its datasets' `entry_text`."""
    return _listed_bytes(_catalogue_head(publisher, title, issued), "dcat:dataset", entries)


def _listed_bytes(head: dict[str, Any], key: str, entries: list[bytes]) -> bytes:
    """Write `head` with `key` (its last member) holding the entries already written.

    Into one buffer, piece by piece: at 10,000 pages the Data Package is 24 MB, and joining it as text held
    three copies at once.
    """
    placeholder = "\0entries\0"  # a string no record holds (control characters are refused in data)
    before, found, after = json_bytes({**head, key: placeholder}).rpartition(json.dumps(placeholder).encode())
    assert found, "the placeholder is written as JSON writes it"
    out = io.BytesIO()
    out.write(before)
    for n, entry in enumerate(entries):
        out.write(b"[\n" if n == 0 else b",\n")
        out.write(entry)
    out.write(b"\n  ]" if entries else b"[]")
    out.write(after)
    return out.getvalue()
