"""Write a deterministic tree of SYNTHETIC agency records for benchmarks and tests (合成資料, not real documents).

The tree has the shape of `data/`: `<id>/agency.yml`, `<id>/plans/<year>.yml` and
`<id>/reports/<year>-h1.yml` / `-h2.yml`, sized like the real files and passing every check of
`generator.assemble.load_portal`. Every agency, title, source and file says it is synthetic.

    python bench/synth.py OUT_DIR --agencies 30 --years 14 [--first-year 100] [--seed 0]

The same arguments always give byte-identical files. Each document draws its numbers from its own
`random.Random`, seeded with a string made of the seed, the agency id and the file name, so an agency's
records do not depend on how many agencies or years are generated alongside it.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TypeAlias

Scalar: TypeAlias = str | int | Decimal
Node: TypeAlias = Scalar | list["Node"] | dict[str, "Node"]
Doc: TypeAlias = dict[str, Node]

MARKER = "# 合成資料（synthetic data for benchmarks and tests; not a real document）"
SOURCE_NOTE = "合成資料，非真實文件"
SOURCE_FILE = "synthetic.txt"
SUFFIX = "（合成資料）"
PARENT = "合成市政府"
HALVES = (("h1", "上半年"), ("h2", "下半年"))

NUMERALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")
CAPITALS = ("壹", "貳", "參", "肆", "伍")

PRIORITIES = (
    "召開廉政會報，結合機關業務共同規劃廉能施政指引，落實風險管理，展現廉能透明政府。",
    "貫徹預防先行理念，運用業務風險評估，規劃專案稽核，機先辨識作業違失風險，提出具體因應策略，健全規管制度。",
    "持續創新多元宣導，深植校園誠信教育，公私協力建構反貪夥伴，強化跨域合作交流。",
    "優化陽光法令宣導措施，提升公職人員財產申報及利益衝突迴避法規知能，型塑乾淨透明行政風氣。",
    "積極推廣廉政倫理規範，鼓勵員工落實倫理事件登錄，確保依法行政公開透明，增進人民信賴。",
    "確立機關重要維護目標，落實安全稽核檢查作為，建構安全公務環境，並推動資訊使用管理稽核。",
    "機先掌握機關陳抗及危安預警情資，適時通報防處並協助機關因應，防範洩密情事發生。",
    "依法受理人民陳情檢舉案件，秉持中立立場審慎處理，以行政調查所得具體事證依法處置，落實行政肅貪。",
    "推動採購監辦及個案會辦預警機制，及時提供導正建議，協助機關落實採購流程公開透明。",
    "強化政風人員專業訓練與考核，嚴明紀律，提升政風工作品質與服務效能。",
    "推展企業誠信治理，結合民間團體與公私部門資源，共同營造誠信經營環境。",
    "落實再防貪機制，針對貪瀆及行政違失案件研析成因，研提具體改善措施，防杜類似案件再次發生。",
)

# (category, program, lowest, highest amount in 千元) of the budget table, in order 壹..伍.
BUDGET_LINES = (
    ("一般行政", "行政管理", 30000, 80000),
    ("組織管理機密維護", "組織管理機密維護", 80, 300),
    ("預防貪瀆", "政風防弊", 300, 900),
    ("政風調查", "政風查處", 150, 500),
    ("預備金", "第一預備金", 50, 150),
)

STEPS_ADMIN = (
    "依據檔案法及文書處理手冊相關規定，加強文書及檔案管理，落實未歸檔案件稽催，提升行政效率。",
    "遵循政府採購法及事務管理相關法規，確實辦理採購業務與財物管理業務，加強出納及公款保管事宜。",
    "推動公文線上簽核及電子化作業，簡化行政流程，節省用紙並縮短公文處理時程。",
    "落實預算執行管控，按月檢討預算執行情形，提升經費運用效能。",
)
STEPS_STAFF = (
    "配合業務需要規劃辦理專業訓練及講習，強化政風工作品質及提升效率。",
    "依法辦理政風人員考試進用及所屬政風機構之組織編制案。",
    "遵循「公務人員任用法」及其施行細則等法規，辦理政風人員之任免、遷調及銓敘送審作業，以維當事人權益。",
    "主動了解及關懷各級政風機構人員，促進和諧，進行紀律查察，以落實考核。",
    "依據「政風人員獎懲標準表」及「公務人員考績法」，進行客觀考核，辦理獎懲作為及年終考績。",
    "落實職期輪調制度，並設置政風人員甄審小組，辦理任免遷調作業。",
)
STEPS_SECRETS = (
    "結合機關業務特性及實際發生案例，以生動、多元方式辦理公務機密維護宣導，提升同仁保密觀念。",
    "視機關狀況或實際需要辦理公務機密維護檢查，會同業務單位研擬檢查計畫簽報機關首長同意後實施。",
    "針對保管重要資訊之資通訊系統辦理資訊使用管理稽核，協助機關完備資訊系統使用管理措施。",
    "定期抽查機密文書保管情形，督促同仁落實機密文書收發、傳遞及銷毀程序。",
)
STEPS_SAFETY = (
    "針對維持機關核心業務營運之重要資源及設施設備，會同業管單位擬定檢查防護措施，落實內控稽核檢查作為。",
    "針對影響機關安全之危安顧慮，適時召開機關安全維護會報，協調並研提防制建議。",
    "迅速蒐報重大危安陳情請願事件之預警資料，使機關首長充分掌握訊息，適時採取因應對策。",
    "會同總務單位檢查門禁管制、消防及逃生設備，確保洽公民眾及同仁安全。",
)
STEPS_PREVENT = (
    "定期召開機關廉政會報，針對可能產生弊失疑慮業務共同檢視風險，研提策進方案並追蹤防弊措施執行效益。",
    "針對機關作業制度建立自檢機制，攜手業務單位策辦專案稽核，共同分析弊端成因及內控缺失，研提具體改善措施。",
    "導入預警興利理念，於採購監辦、個案會辦或受理民情反映等過程機先發掘違失缺漏，及時提出導正建議。",
    "監辦機關採購程序，針對可能發生之適法問題適時提供建議，協助機關落實採購流程公開透明。",
    "賡續推展廉政倫理事件登錄制度，受理登錄拒收餽贈、請託關說及飲宴應酬等資料，維護同仁權益。",
    "辦理廉潔楷模選拔，公開頒獎表揚當選人員，激勵同仁見賢思齊，型塑廉能風氣。",
    "針對行政肅貪及貪瀆起訴案件，研析原因及內控監督作業缺漏，研擬再防貪建議，啟動廉能正向循環。",
    "運用資料分析檢視業務異常態樣，主動發掘潛存風險，提供機關預警參考。",
    "建立廉政風險人員評估機制，適時提供機關首長人事運用參考。",
)
STEPS_ASSETS = (
    "辦理公職人員財產申報及利益衝突迴避說明會，針對受規範業務及對象策劃主題式課程，提升同仁陽光法令知能。",
    "督促財產申報義務人善盡申報義務，依規定比率辦理公開抽籤作業，覈實辦理實質審查作業。",
    "宣導利益衝突迴避規定，落實事前揭露及事後公開規定，建構透明行政。",
)
STEPS_SCHOOLS = (
    "結合學校課程及社團活動，辦理誠信品格教育宣導，落實誠信教育扎根。",
    "研編誠信教材及繪本，提供教師教學運用，擴大宣導效益。",
    "辦理青年學子廉政體驗活動，培養學生民主法治及廉潔誠信觀念。",
)
STEPS_BUSINESS = (
    "結合產業公會及民間團體辦理企業誠信論壇，推廣誠信經營理念。",
    "針對機關重大採購及委外案件，辦理廠商廉政座談，宣導相關法令規定。",
    "建立公私部門交流平臺，共享資源並共同研議防弊作為。",
)
STEPS_PROBE = (
    "依法受理陳情檢舉案件，秉持客觀中立立場進行行政調查，並注意有利及不利於當事人之相關證據，依所得具體事證妥慎處理。",
    "針對查處結果即時啟動廉政措施，追究相關責任，貫徹行政肅貪，型塑機關廉能風氣。",
    "調查過程中加強檢舉人身分保密相關措施，並追蹤辦理進度，落實管考。",
    "與檢調機關建立聯繫管道，適時移送涉嫌貪瀆不法案件，發揮偵防效能。",
)
STEPS_AUDIT = (
    "參照近期本機關或他機關曾發生之缺失案件，主動評估機關潛存廉政風險業務，簽報機關首長核可後辦理專案清查。",
    "結合機關內部資源，針對清查過程所發現缺失，研提具體可行之改善措施及建議事項。",
    "清查結果簽報機關首長後，持續追蹤管考改善措施及建議事項之具體執行情形。",
)


# Recurring figures tracked as indicators: label → (id, unit, plan item names from the top).
_SECRETS = ["組織管理機密維護", "公務機密維護及預防危害或破壞事件", "公務機密維護"]
_SAFETY = ["組織管理機密維護", "公務機密維護及預防危害或破壞事件", "預防危害或破壞事件"]
INDICATORS = {
    "召開機關廉政會報": ("integrity-meetings", "會議次", ["預防貪瀆", "政風防弊"]),
    "辦理專案稽核": ("special-audits", "案次", ["預防貪瀆", "政風防弊"]),
    "提出導正建議": ("corrective-suggestions", "案次", ["預防貪瀆", "政風防弊"]),
    "舉辦公職人員財產申報說明會": ("asset-declaration-briefings", "場次", ["預防貪瀆", "公職人員財產申報"]),
    "財產申報授權率": ("asset-declaration-authorisation-rate", "%", ["預防貪瀆", "公職人員財產申報"]),
    "辦理利益衝突迴避法說明會": ("conflict-of-interest-briefings", "場次", ["預防貪瀆", "公職人員財產申報"]),
    "執行保密宣導": ("confidentiality-outreach", "案", _SECRETS),
    "執行保密檢查": ("confidentiality-inspections", "案", _SECRETS),
    "召開安全維護會報": ("security-meetings", "場次", _SAFETY),
    "辦理安全維護檢查": ("security-inspections", "案", _SAFETY),
    "受理檢舉案件": ("complaints-received", "案", ["政風調查", "政風查處"]),
    "經主管機關議處案件": ("disciplinary-cases", "案", ["政風調查", "政風查處"]),
}


def indicators_record() -> Doc:
    """Return the indicator catalogue every synthetic agency shares."""
    return {"indicators": [
        {"id": ident, "name": label, "unit": unit, "definition": f"{SOURCE_NOTE}：各期工作成果中「{label}」的數字。",
         "serves": list(serves)}
        for label, (ident, unit, serves) in INDICATORS.items()
    ]}


def _tag_indicators(node: Node) -> None:
    """Give each top-level figure whose label is an indicator its `indicator` id (breakdown parts keep none)."""
    if isinstance(node, dict):
        for name, value in node.items():
            if name == "figures" and isinstance(value, list):
                for figure in value:
                    label = figure.get("label") if isinstance(figure, dict) else None
                    if isinstance(figure, dict) and isinstance(label, str) and label in INDICATORS:
                        figure["indicator"] = INDICATORS[label][0]
            elif name != "breakdowns":
                _tag_indicators(value)
    elif isinstance(node, list):
        for entry in node:
            _tag_indicators(entry)


# --- YAML text -------------------------------------------------------------------------------------

_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def _key(key: str) -> str:
    """Spell a mapping key: plain for lowercase names, double-quoted for words YAML 1.1 reads as booleans."""
    if re.fullmatch(r"[a-z_]+", key) and key not in _YAML_WORDS:
        return key
    return json.dumps(key, ensure_ascii=False)


def _scalar(value: Scalar) -> str:
    """Spell a scalar so that any YAML loader, the project's strict one included, reads it back unchanged."""
    if isinstance(value, bool):
        raise TypeError("booleans are not used in the records")
    if isinstance(value, int | Decimal):
        return str(value)
    # Plain only for text that starts with a CJK character and has no YAML indicator in it; the rest
    # (項次 "1", "%", file names, text starting with a year) is double-quoted like the real data.
    if value and ord(value[0]) > 0x2E7F and value == value.strip() and not re.search(r"[:#\n\t]", value):
        return value
    return json.dumps(value, ensure_ascii=False)


def _lines(node: list[Node] | dict[str, Node], indent: int) -> list[str]:
    """Render a mapping or sequence in block style, two spaces per level, sequences indented under their key."""
    pad = " " * indent
    out: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, dict | list):
                out.append(f"{pad}{_key(key)}:")
                out.extend(_lines(value, indent + 2))
            else:
                out.append(f"{pad}{_key(key)}: {_scalar(value)}")
        return out
    for entry in node:
        if isinstance(entry, dict):
            inner = _lines(entry, indent + 2)
            out.append(f"{pad}- {inner[0][indent + 2:]}")
            out.extend(inner[1:])
        elif isinstance(entry, list):
            raise TypeError("nested sequences are not used in the records")
        else:
            out.append(f"{pad}- {_scalar(entry)}")
    return out


def render(doc: Doc, schema: str) -> str:
    """Return a record's YAML text, starting with the editor schema line and the synthetic-data marker."""
    head = [f"# yaml-language-server: $schema={schema}", MARKER]
    return "\n".join([*head, *_lines(doc, 0)]) + "\n"


# --- records ---------------------------------------------------------------------------------------


def _pick(rng: random.Random, pool: tuple[str, ...], low: int, high: int) -> list[str]:
    """Pick between `low` and `high` entries of `pool`, keeping their order."""
    count = rng.randint(low, min(high, len(pool)))
    return [pool[i] for i in sorted(rng.sample(range(len(pool)), count))]


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """Split `total` into `parts` positive integers that add up to it."""
    cuts = sorted(rng.sample(range(1, total), parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def agency_record(number: int) -> Doc:
    """Return the agency.yml record of synthetic agency `number`."""
    return {"name": f"合成機關{number:03d}政風室{SUFFIX}", "parent": PARENT}


def _plan_item(no: str, name: str, objective: str | None, steps: list[str], children: list[Node] | None = None,
               program: str | None = None, budget: int | None = None) -> Doc:
    """Return one plan item, leaving out the fields it does not have."""
    item: Doc = {"no": no, "name": name}
    if program is not None:
        item["program"] = program
    if budget is not None:
        item["budget"] = budget
    if objective is not None:
        item["objective"] = objective
    if steps:
        item["steps"] = list(steps)
    if children:
        item["children"] = children
    return item


def plan_record(short: str, year: int, rng: random.Random) -> Doc:
    """Return an annual plan: 8 priorities, a 5-line budget table with its total, items 壹..肆 three levels deep."""
    title = f"{short} {year} 年度施政計畫提要{SUFFIX}"
    picked = sorted(rng.sample(range(len(PRIORITIES)), 8))
    priorities: list[Node] = [{"no": NUMERALS[i], "text": PRIORITIES[p]} for i, p in enumerate(picked)]
    lines: list[Node] = []
    amounts: list[int] = []
    for no, (category, program, low, high) in zip(CAPITALS, BUDGET_LINES, strict=True):
        amount = rng.randint(low, high)
        amounts.append(amount)
        line: Doc = {"no": no, "name": category, "program": program, "amount": amount}
        if category == "預備金" and rng.random() < 0.5:
            line["note"] = "依預算法第二十二條規定編列"
        lines.append(line)
    outreach: list[Node] = []
    if rng.random() < 0.6:
        outreach.append(_plan_item("三", "廉政宣導", None, [], [
            _plan_item("（一）", "誠信教育", "深化校園誠信教育，培育青年學子廉潔反貪意識。",
                       _pick(rng, STEPS_SCHOOLS, 2, 3)),
            _plan_item("（二）", "企業誠信", "推展企業誠信治理，公私協力建構反貪夥伴關係。",
                       _pick(rng, STEPS_BUSINESS, 2, 3)),
        ]))
    entries: list[Node] = [
        _plan_item("壹", "一般行政", "推動文書處理資訊化，加強事務管理，提高行政效率。", _pick(rng, STEPS_ADMIN, 2, 4),
                   program="行政管理", budget=amounts[0]),
        _plan_item("貳", "組織管理機密維護", None, [], [
            _plan_item("一", "政風機構人員管理",
                       "為深化政風機構人員專業素養與服務熱忱，辦理政風專業訓練並強化管理措施，落實陞遷考核制度，以嚴明紀律。",
                       _pick(rng, STEPS_STAFF, 3, 6)),
            _plan_item("二", "公務機密維護及預防危害或破壞事件", None, [], [
                _plan_item("（一）", "公務機密維護",
                           "結合機關環境，辦理公務機密維護宣導，並定期或不定期辦理公務機密維護檢查、資訊使用管理稽核，"
                           "以保障機敏資料及民眾個資。", _pick(rng, STEPS_SECRETS, 2, 4)),
                _plan_item("（二）", "預防危害或破壞事件",
                           "盤點機關重點維護事項，強化內控稽核檢查作為，機先掌握危安及陳情請願預警資料，以避免事故發生或減少損害。",
                           _pick(rng, STEPS_SAFETY, 2, 4)),
            ]),
        ], program="組織管理機密維護", budget=amounts[1]),
        _plan_item("參", "預防貪瀆", None, [], [
            _plan_item("一", "政風防弊", "掌握風險管理，推展預警興利措施。", _pick(rng, STEPS_PREVENT, 5, 9)),
            _plan_item("二", "公職人員財產申報", "賡續宣導陽光法令，展現廉潔透明行政。",
                       _pick(rng, STEPS_ASSETS, 2, 3)),
            *outreach,
        ], program="政風防弊", budget=amounts[2]),
        _plan_item("肆", "政風調查", None, [], [
            _plan_item("一", "政風查處",
                       "依法受理人民陳情檢舉案件，秉持中立立場審慎處理，以行政調查所得具體事證依法處置，"
                       "並及時追究相關責任，落實行政肅貪。", _pick(rng, STEPS_PROBE, 3, 4)),
            _plan_item("二", "違常查察",
                       "主動評估篩選機關潛存高廉政風險業務辦理專案清查，研提具體改善措施，降低貪瀆案件發生機率。",
                       _pick(rng, STEPS_AUDIT, 2, 3)),
        ], program="政風查處", budget=amounts[3]),
    ]
    return {
        "year": year,
        "title": title,
        "source": {"document": f"{SOURCE_NOTE}：{short} {year} 年度施政計畫提要", "file": SOURCE_FILE},
        "introduction": f"本室依據{PARENT} {year} 年度施政綱要，配合核定預算額度，"
                        f"並應業務需要編訂 {year} 年度施政計畫。其重點及主要目標如次：",
        "priorities": {"source_section": "施政重點及主要目標", "entries": priorities},
        "budget": {
            "source_section": f"{short} {year} 年度施政計畫與預算配合對照表",
            "unit": "千元",
            "fund": "主要預算",
            "lines": lines,
            "total": sum(amounts),
        },
        "items": {"source_section": f"{short} {year} 年度施政計畫", "entries": entries},
    }


def _figure(label: str, value: int | Decimal, unit: str, quote: str, *breakdowns: tuple[str, list[Doc]]) -> Doc:
    """Return one figure; each breakdown is (by, parts)."""
    figure: Doc = {"label": label, "value": value, "unit": unit, "quote": quote}
    if breakdowns:
        figure["breakdowns"] = [{"by": by, "parts": list(parts)} for by, parts in breakdowns]
    return figure


def _under(node: Node, key: str) -> Iterator[Node]:
    """Yield every value stored under `key` anywhere in `node`."""
    if isinstance(node, dict):
        for name, value in node.items():
            if name == key:
                yield value
            yield from _under(value, key)
    elif isinstance(node, list):
        for entry in node:
            yield from _under(entry, key)


def _with_text(entry: Doc, text: str, figures: list[Doc]) -> Doc:
    """Add `text` and `figures` to a report item or section, refusing a quote that is not in the text."""
    missing = [quote for quote in _under(list(figures), "quote") if not isinstance(quote, str) or quote not in text]
    if missing:
        raise ValueError(f"quote not in text: {missing}")
    entry["text"] = text
    if figures:
        entry["figures"] = list(figures)
    return entry


def _item(no: str, text: str, figures: list[Doc], title: str | None = None) -> Doc:
    """Return a numbered report item."""
    item: Doc = {"no": no}
    if title is not None:
        item["title"] = title
    return _with_text(item, text, figures)


def report_record(short: str, year: int, half: str, scale: float, rng: random.Random) -> Doc:
    """Return a half-year work report: 3 chapters and 30 figures, two of them broken down."""

    def n(base: float, low: int = 1) -> int:
        """Draw a count around `base`, scaled by the agency's size."""
        return max(low, round(base * scale * rng.uniform(0.7, 1.3)))

    def pct(low: int, high: int) -> Decimal:
        """Draw a percentage with two decimals between `low` and `high` hundredths."""
        return (Decimal(rng.randint(low, high)) / 100).quantize(Decimal("0.01"))

    when = f"{year}年{half}"
    meetings, motions, done = n(40), n(80), pct(8500, 9999)
    audits, advice, reports = n(6), n(9), n(2)
    campaigns = n(12)
    agencies = n(10)
    nominees = agencies + n(10, 0)
    models = max(1, nominees // rng.randint(2, 4))
    briefings, attendees, authorized = n(10), n(600), pct(9000, 9999)
    sampled, ratio = n(180), rng.choice((1, 2, 3))
    compared = max(1, sampled * ratio // 10)
    conflict, conflict_attendees = n(6), n(550)
    talks = [n(150), n(200), n(100)]
    checks, security_meetings, inspections, safety_talks, alerts = n(160), n(10), n(130), n(350), n(30)
    named, anonymous = n(180, 5), n(80, 5)
    complaints = named + anonymous
    outcomes = _split(rng, complaints, 4)
    outcomes.sort()
    referred, charged_cases, disciplined_cases = n(4, 0), n(1.5, 0), n(8, 0)
    charged_people = charged_cases + (rng.randint(0, 2) if charged_cases else 0)
    disciplined_people = disciplined_cases + (rng.randint(0, 6) if disciplined_cases else 0)

    risk: Doc = {"no": "（一）", "title": "落實風險管理機制，健全機關作業制度", "items": [
        _item("1", f"本機關{half}共召開機關廉政會報計{meetings}會議次，討論提案{motions}案次，"
                   f"藉由會報平臺連繫功能，落實機關廉政風險評估及預警機制，會報決議事項執行率達{done}％，"
                   "並針對風險業務弊失情形研擬興利行政作為。", [
            _figure("召開機關廉政會報", meetings, "會議次", f"召開機關廉政會報計{meetings}會議次"),
            _figure("討論提案", motions, "案次", f"討論提案{motions}案次"),
            _figure("廉政會報決議事項執行率", done, "%", f"執行率達{done}％"),
        ]),
        _item("2", f"針對機關作業制度，發揮風險管理內控效能，辦理專案稽核{audits}案次，深入瞭解業務流程與執行現況，"
                   "研析業務違失癥結原因，並以法制面、制度面、執行面等角度研提改進建議措施，提供機關策進參考。", [
            _figure("辦理專案稽核", audits, "案次", f"辦理專案稽核{audits}案次"),
        ]),
        _item("3", "透過公文會辦、採購監辦流程或受理民情反映等過程，機先預警機關作業潛存之風險，"
                   f"並提出導正建議計{advice}案次，以預先防範機制達成減少浪費及完備制度措施等效益。", [
            _figure("提出導正建議", advice, "案次", f"提出導正建議計{advice}案次"),
        ]),
        _item("4", "針對涉犯貪瀆不法或行政違失案件，會同業務單位深入研析發生原因及作業缺漏部分，研擬再防貪建議或措施，"
                   f"編撰專案報告計{reports}案次，協助機關正向防堵類似案件再發生。", [
            _figure("編撰再防貪專案報告", reports, "案次", f"專案報告計{reports}案次"),
        ]),
    ]}
    integrity: Doc = {"no": "（二）", "title": "扎根品格教育，推展誠信治理", "items": [
        _item("1", "以跨域合作、公私協力、行政透明及全民監督之精神，協助機關成立重大工程廉政平臺，"
                   "透過召開聯繫會議及建置資訊公開專區，共同討論潛存風險並研商解決方式，"
                   "使重大政策能順利如期、如質推動。", []),
        _item("2", f"以創新及優化廉潔教育之理念，{half}辦理校園誠信宣導活動{campaigns}場次，透過繪本導讀、戲劇演出及"
                   "有獎徵答等方式，教導學童將誠信觀念扎根於內心、落實於生活。", [
            _figure("辦理校園誠信宣導活動", campaigns, "場次", f"校園誠信宣導活動{campaigns}場次"),
        ]),
        _item("3", f"辦理{year}年廉潔楷模選拔，經由各機關薦報計有{agencies}機關推薦{nominees}名同仁參加甄選，"
                   f"經審議後選出{models}名廉潔楷模，並予以獎勵表揚，鼓勵全體同仁見賢思齊，型塑整體組織廉能風氣。", [
            _figure("薦報機關", agencies, "機關", f"計有{agencies}機關"),
            _figure("推薦參加甄選同仁", nominees, "名", f"推薦{nominees}名同仁"),
            _figure("選出廉潔楷模", models, "名", f"選出{models}名廉潔楷模"),
        ]),
    ]}
    sunshine: Doc = {"no": "（三）", "title": "持續宣導陽光法令，協助申報迴避", "items": [
        _item("1", f"為協助財產申報義務人依法正確辦理財產申報，舉辦公職人員財產申報說明會{briefings}場次，"
                   f"共計{attendees:,}人次參加，並鼓勵申報人使用財產申報授權服務（授權率達{authorized}％），以提高申報正確率。"
                   f"同時依規定比率辦理公開抽出{sampled}人辦理實質審查，復依{ratio}%比例抽出{compared}人進行前後年度比對審查，"
                   "覈實辦理審查作業，落實陽光法案之立法目的。", [
            _figure("舉辦公職人員財產申報說明會", briefings, "場次", f"財產申報說明會{briefings}場次"),
            _figure("財產申報說明會參加", attendees, "人次", f"共計{attendees:,}人次"),
            _figure("財產申報授權率", authorized, "%", f"授權率達{authorized}％"),
            _figure("公開抽出辦理實質審查", sampled, "人", f"公開抽出{sampled}人"),
            _figure("前後年度比對審查抽出比例", ratio, "%", f"{ratio}%比例"),
            _figure("抽出進行前後年度比對審查", compared, "人", f"比例抽出{compared}人"),
        ]),
        _item("2", "為提昇同仁對於公職人員利益衝突迴避法之認識，俾利執行業務有所依循，"
                   f"辦理利益衝突迴避法說明會計{conflict}場次，共{conflict_attendees:,}人次參加，"
                   "並針對適用業務類別規劃主題式規範及相關案例講習宣導，以強化法令觀念。", [
            _figure("辦理利益衝突迴避法說明會", conflict, "場次", f"利益衝突迴避法說明會計{conflict}場次"),
            _figure("利益衝突迴避法說明會參加", conflict_attendees, "人次", f"共{conflict_attendees:,}人次"),
        ]),
    ]}
    secrets: Doc = {"no": "（一）", "title": "公務機密維護", "items": [
        _item("1", "為提高同仁保密警覺，加強保密措施，防範洩密事件發生，運用多元管道方式加強宣導公務機密維護要項；"
                   f"{when}度共計執行保密宣導{sum(talks)}案，其中集會宣導{talks[0]}案、書面及電子郵件宣導{talks[1]}案、"
                   f"網站專區宣導{talks[2]}案。", [
            _figure("執行保密宣導", sum(talks), "案", f"執行保密宣導{sum(talks)}案", ("宣導方式", [
                _figure("集會宣導", talks[0], "案", f"集會宣導{talks[0]}案"),
                _figure("書面及電子郵件宣導", talks[1], "案", f"書面及電子郵件宣導{talks[1]}案"),
                _figure("網站專區宣導", talks[2], "案", f"網站專區宣導{talks[2]}案"),
            ])),
        ], title="提升同仁保密知能，預防洩密情事發生"),
        _item("2", "協同資訊單位辦理資訊系統使用管理稽核，抽查各資訊系統使用者紀錄檔，檢視員工有無越權查閱之異常情事；"
                   f"另定期抽查機關機密文書保管情形；{when}度共計執行檢查{checks}案。", [
            _figure("執行保密檢查", checks, "案", f"執行檢查{checks}案"),
        ], title="落實資訊安全檢查，強化機關保密措施"),
    ]}
    safety: Doc = {"no": "（二）", "title": "機關安全維護", "items": [
        _item("1", "不定期召開安全維護會報，作為公務機密及安全維護措施溝通平台，"
                   "針對維護業務相關議題進行討論並作成決議，以順利推動各項安全維護工作。"
                   f"{when}度共計召開{security_meetings}場次。", [
            _figure("召開安全維護會報", security_meetings, "場次", f"召開{security_meetings}場次"),
        ], title="召開安全維護會報，促進維護業務交流"),
        _item("2", "將門禁管制、消防及逃生設備等設施維護情形列入機關安全狀況檢查項目，"
                   "會同總務、秘書等相關單位共同執行檢查，並適時宣導機關安全維護要項；"
                   f"{when}度共計辦理安全維護檢查{inspections}案、安全維護宣導{safety_talks}次。", [
            _figure("辦理安全維護檢查", inspections, "案", f"安全維護檢查{inspections}案"),
            _figure("安全維護宣導", safety_talks, "次", f"安全維護宣導{safety_talks}次"),
        ], title="落實辦公設施檢查，確保機關同仁安全"),
        _item("3", "督導先期瞭解危安狀況及陳情請願資料，提供首長機先掌握狀況，"
                   f"並適時協調業管單位採取因應對策及防範措施；{when}度共計通報及協助機關疏處{alerts}案。", [
            _figure("通報及協助機關疏處", alerts, "案", f"通報及協助機關疏處{alerts}案"),
        ], title="即時掌握陳抗情資，協助機關有效疏處"),
    ]}
    result = ("行政處理", "澄清結案（含列參及其他）", "移請權責機關參處", "查處中")
    result_quotes = ("辦理行政處理{}案", "澄清結案（含列參及其他）者{}案", "移請權責機關參處{}案", "查處中{}案")
    order = (0, 2, 3, 1)  # smallest share to 行政處理, largest to 移請權責機關參處
    counts = [outcomes[order[i]] for i in range(4)]
    complaints_text = (
        f"{when}受理檢舉案件{complaints}案，其中具名檢舉{named}案，匿名檢舉{anonymous}件，均審慎依法令查處，處理結果為："
        + "，".join(q.format(c) for q, c in zip(result_quotes, counts, strict=True)) + "。"
    )
    probe: list[Node] = [
        _with_text({"no": "（一）"}, complaints_text, [
            _figure("受理檢舉案件", complaints, "案", f"受理檢舉案件{complaints}案", ("檢舉方式", [
                _figure("具名檢舉", named, "案", f"具名檢舉{named}案"),
                _figure("匿名檢舉", anonymous, "件", f"匿名檢舉{anonymous}件"),
            ]), ("處理結果", [
                _figure(label, c, "案", q.format(c)) for label, q, c in zip(result, result_quotes, counts, strict=True)
            ])),
        ]),
        _with_text({"no": "（二）"}, f"{when}辦理違反政府採購法、詐欺、偽造文書等不法案件{referred}案，"
                                   "均依法函送司法機關參偵。", [
            _figure("函送司法機關不法案件", referred, "案", f"不法案件{referred}案"),
        ]),
        _with_text({"no": "（三）"}, f"本機關公務員經函送檢察機關，而於{when}提起公訴(含緩起訴)者"
                                   f"{charged_cases}案{charged_people}人。另追究行政違失責任，"
                                   f"經主管機關議處者{disciplined_cases}案{disciplined_people}人。", [
            _figure("提起公訴(含緩起訴)案件", charged_cases, "案", f"提起公訴(含緩起訴)者{charged_cases}案"),
            _figure("提起公訴(含緩起訴)人數", charged_people, "人", f"{charged_cases}案{charged_people}人"),
            _figure("經主管機關議處案件", disciplined_cases, "案", f"經主管機關議處者{disciplined_cases}案"),
            _figure("經主管機關議處人數", disciplined_people, "人", f"{disciplined_cases}案{disciplined_people}人"),
        ]),
    ]
    title = f"{short} {year} 年{half}工作成果{SUFFIX}"
    return {
        "year": year,
        "period": half,
        "title": title,
        "source": {"document": f"{SOURCE_NOTE}：{short} {year} 年{half}工作成果", "file": SOURCE_FILE},
        "chapters": [
            {"no": "一", "title": "發揮內控機制，提升有感廉政效益", "sections": [risk, integrity, sunshine]},
            {"no": "二", "title": "防範洩密情事發生，掌握機關危安風險", "sections": [secrets, safety]},
            {"no": "三", "title": "檢肅貪瀆，澄清吏治", "sections": probe},
        ],
    }


def _count(node: Node, key: str) -> int:
    """Count the entries of every list stored under `key` in `node` (its figures, or its breakdown parts)."""
    return sum(len(value) for value in _under(node, key) if isinstance(value, list))


# --- files -----------------------------------------------------------------------------------------


def _write(path: Path, text: str) -> int:
    """Write UTF-8 text with LF line ends and return its size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    path.write_bytes(data)
    return len(data)


def write_portal(out: Path, agencies: int, years: int, first_year: int = 100, seed: int = 0) -> dict[str, int]:
    """Write a synthetic data tree of `agencies` agencies × `years` ROC years into the empty folder `out`."""
    if agencies < 1 or years < 1:
        raise ValueError("agencies and years must be at least 1")
    if first_year < 1 or first_year + years - 1 > 300:
        raise ValueError("ROC years must stay between 1 and 300")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(f"{out} exists and is not an empty folder")
    counts = {"agencies": 0, "plans": 0, "reports": 0, "figures": 0, "parts": 0, "files": 0, "bytes": 0}
    for number in range(1, agencies + 1):
        agency_id = f"synth-{number:03d}"
        short = f"合成機關{number:03d}政風室"
        folder = out / agency_id
        scale = random.Random(f"synth:{seed}:{agency_id}").uniform(0.4, 2.5)
        text = render(agency_record(number), "../../schemas/agency.schema.json")
        counts["bytes"] += _write(folder / "agency.yml", text)
        counts["agencies"] += 1
        counts["bytes"] += _write(folder / "indicators.yml",
                                  render(indicators_record(), "../../schemas/indicators.schema.json"))
        for year in range(first_year, first_year + years):
            rng = random.Random(f"synth:{seed}:{agency_id}:plans/{year}")
            plan = plan_record(short, year, rng)
            text = render(plan, "../../../schemas/plan.schema.json")
            counts["bytes"] += _write(folder / "plans" / f"{year}.yml", text)
            counts["plans"] += 1
            for slug, half in HALVES:
                rng = random.Random(f"synth:{seed}:{agency_id}:reports/{year}-{slug}")
                report = report_record(short, year, half, scale, rng)
                _tag_indicators(report)
                text = render(report, "../../../schemas/report.schema.json")
                counts["bytes"] += _write(folder / "reports" / f"{year}-{slug}.yml", text)
                counts["reports"] += 1
                counts["figures"] += _count(report, "figures")
                counts["parts"] += _count(report, "parts")
    counts["files"] = 2 * counts["agencies"] + counts["plans"] + counts["reports"]
    return counts


def main(argv: list[str] | None = None) -> int:
    """Run the command line: generate into OUT_DIR and print the counts."""
    parser = argparse.ArgumentParser(description="Write synthetic agency records (合成資料) for benchmarks and tests.")
    parser.add_argument("out", type=Path, metavar="OUT_DIR", help="folder to create; must not exist or be empty")
    parser.add_argument("--agencies", type=int, default=30, help="number of agencies (default 30)")
    parser.add_argument("--years", type=int, default=14, help="number of ROC years per agency (default 14)")
    parser.add_argument("--first-year", type=int, default=100, help="first ROC year (default 100)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        counts = write_portal(args.out, args.agencies, args.years, args.first_year, args.seed)
    except (ValueError, FileExistsError) as exc:
        print(f"synth: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - start
    print(" ".join(f"{key}={value}" for key, value in counts.items()) + f" seconds={elapsed:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
