"""Translate pydantic's validation errors into problems located in the YAML, in Traditional Chinese."""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import Problem
from .load import Document, Loc
from .model import Agency, Indicators, Plan, Report

# Fields that an earlier version of the format had, and what they are called now.
RENAMED = {"category": "name"}


def _data_loc(loc: tuple[Any, ...], data: Any) -> Loc:
    """Drop pydantic's union-member tags from `loc`, keeping only steps into the data."""
    out: list[str | int] = []
    for step in loc:
        if isinstance(step, str) and _is_tag(step) and not (isinstance(data, dict) and step in data):
            continue  # the member of a union pydantic tried: a model, a literal, int or decimal
        if isinstance(data, dict) and isinstance(step, str):
            out.append(step)
            data = data.get(step)
        elif isinstance(data, list) and isinstance(step, int) and step < len(data):
            out.append(step)
            data = data[step]
        elif not isinstance(step, str) or isinstance(data, dict):
            break
    return tuple(out)


def _is_tag(step: str) -> bool:
    """Tell a union member's tag (PeriodRange, literal[...], int, constrained-int) from a field name."""
    return step[:1].isupper() or "[" in step or step in ("int", "decimal", "str", "bool", "constrained-int")


def _chinese_numeral(char: str) -> bool:
    """Tell a Chinese numeral (one Unicode gives a numeric value, like ten thousand) from a digit or other text."""
    return not char.isascii() and not char.isdecimal() and unicodedata.numeric(char, None) is not None


def _number_hint(value: Any) -> str:
    """Say what is wrong with text written where a number belongs: the mistake it shows, not a guess."""
    if not isinstance(value, str):
        return ""
    if re.search("[０-９．]", value):
        return "；請改用半形數字（例如 95，不是 ９５）"
    if re.fullmatch(r"\s*-?[\d,]*\.?\d+\s*\S+", value) and not re.fullmatch(r"[\d,]+", value.strip()):
        return "；數字後面不要寫單位或 %，單位請寫在 unit 欄位（例如 value: 98.39、unit: \"%\"）"
    if value.strip() and all(_chinese_numeral(c) for c in value.strip()):
        return "；請改用阿拉伯數字（例如 12，不是 十二）"
    return "；數字請勿加千分位逗號或引號"


def _shown(value: Any) -> str:
    if value is None:
        return "空白"
    if isinstance(value, bool):
        return "「true」" if value else "「false」"
    if isinstance(value, dict | list):
        return "一組欄位" if isinstance(value, dict) else "一個清單"
    return f"「{value}」"


def _message(error: Any, model_fields: list[str]) -> str:
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind == "missing":
        return "缺少必填欄位 (required field missing)"
    if value is None and (kind.endswith("_type") or kind == "is_instance_of"):
        return "尚未填寫（目前是空白），請依來源文件填入 (no value yet)"
    if kind == "extra_forbidden":
        field = str(error["loc"][-1])
        if RENAMED.get(field) in model_fields:
            return (f"欄位 {field} 已改名為 {RENAMED[field]}，請把「{field}:」改成「{RENAMED[field]}:」，內容不變"
                    " (field renamed)")
        allowed = "、".join(model_fields)
        return f"不認得這個欄位，可能拼錯了；這裡可用的欄位有：{allowed} (unknown field)"
    if kind == "int_type" and error["loc"][-1:] in (("constrained-int",), ("int",)):
        kind = "is_instance_of"  # a figure's value may be an integer or a decimal
    if kind == "int_type":
        return f"應為整數，讀到的是{_shown(value)}{_number_hint(value)} (expected an integer)"
    if kind in ("is_instance_of", "decimal_type", "float_type"):
        return f"應為數字，讀到的是{_shown(value)}{_number_hint(value)} (expected a number)"
    if kind == "string_type":
        hint = ""
        if isinstance(value, bool):
            hint = "；若要寫 true、false 這類字，請加上引號"
        elif isinstance(value, int | Decimal):
            hint = "；純數字的文字（例如項次 \"1\"）請加上引號"
        return f"應為文字，讀到的是{_shown(value)}{hint} (expected text)"
    if kind == "literal_error":
        allowed = "、".join(f"「{v}」" for v in re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
        return f"只能是下列之一：{allowed}，讀到的是{_shown(value)} (not an allowed value)"
    if kind == "greater_than_equal":
        return f"不可小於 {ctx.get('ge')}，讀到的是{_shown(value)} (too small)"
    if kind == "less_than_equal":
        return f"不可大於 {ctx.get('le')}，讀到的是{_shown(value)} (too large)"
    if kind == "string_pattern_mismatch" and str(ctx.get("pattern")) == r"\S":
        return "不可空白（只有空格也算空白）(must not be empty)"
    if kind == "string_pattern_mismatch" and "\\d{1,3}-" in str(ctx.get("pattern", "")):
        return f"應寫成民國年-月，月份兩位數（例如 89-07），讀到的是{_shown(value)} (expected a month)"
    if kind == "string_pattern_mismatch" and "https?" in str(ctx.get("pattern", "")):
        return (f"網址應以 https:// 或 http:// 開頭，且不可含空格或引號，讀到的是{_shown(value)}"
                " (expected a web address)")
    if kind == "string_pattern_mismatch":
        if "\\d{4}" in str(ctx.get("pattern", "")):
            return f"日期應寫成西元年-月-日（例如 2024-03-05），讀到的是{_shown(value)} (expected a date)"
        return f"代號只能用小寫英文、數字與 -，且不以 - 開頭，讀到的是{_shown(value)} (invalid id)"
    if kind == "string_too_long":
        return f"太長：最多 {ctx.get('max_length')} 字 (limit)"
    if kind == "decimal_max_digits":
        return f"小數最多 {ctx.get('max_digits')} 位有效數字，讀到的是{_shown(value)} (limit)"
    if kind == "string_too_short":
        return "不可空白 (must not be empty)"
    if kind == "too_short":
        return f"至少要有 {ctx.get('min_length')} 筆 (too few entries)"
    if kind == "list_type":
        return f"應為清單（每筆以「- 」開頭），讀到的是{_shown(value)} (expected a list)"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"應為一組欄位（key: value），讀到的是{_shown(value)} (expected a mapping)"
    return f"{error['msg']}"


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """Return the field names allowed in the mapping that `loc` points into."""
    current: Any = model
    for step in loc[:-1]:
        if isinstance(step, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)) or step not in current.model_fields:
            return []
        annotation = current.model_fields[step].annotation
        current = _model_in(annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _renamed_from(loc: Loc, data: Any) -> bool:
    """Tell whether the mapping holding `loc` has the field under a name it had in an earlier format."""
    for step in loc[:-1]:
        if isinstance(data, dict) and isinstance(step, str):
            data = data.get(step)
        elif isinstance(data, list) and isinstance(step, int) and step < len(data):
            data = data[step]
        else:
            return False
    return isinstance(data, dict) and any(RENAMED.get(key) == loc[-1] for key in data)


def translate_errors(exc: ValidationError, doc: Document) -> list[Problem]:
    """Return one located problem per distinct place pydantic found wrong, with advice that fits the mistake."""
    model = exc.title
    roots: dict[str, type[BaseModel]] = {"Plan": Plan, "Report": Report, "Agency": Agency, "Indicators": Indicators}
    root = roots.get(model, Agency)
    seen: set[Loc] = set()
    problems = []
    # In a union (an integer or a decimal), a broken constraint says more than the other member's type error.
    errors = sorted(exc.errors(), key=lambda e: e["type"].endswith("_type") or e["type"] == "is_instance_of")
    for error in errors:
        if error["type"] == "literal_error" and isinstance(error.get("input"), dict) and len(errors) > 1:
            continue  # a mapping was written where a name also fits: the mapping's own errors say what is wrong
        loc = _data_loc(error["loc"], doc.data)
        if error["type"] == "missing":
            loc = (*loc, error["loc"][len(loc)]) if len(error["loc"]) > len(loc) else loc
        if loc in seen or (error["type"] == "missing" and _renamed_from(loc, doc.data)):
            continue  # the old name of the field is there: its own message says what to change
        seen.add(loc)
        message = _message(error, _fields_at(root, loc))
        problems.append(doc.problem(loc, message, key=error["type"] == "extra_forbidden"))
    return problems
