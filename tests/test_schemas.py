"""Editor schemas are generated from the models and committed; they must never drift."""
from __future__ import annotations

import json

from conftest import ROOT
from generator.schemas import schema_texts


def test_committed_schemas_match_the_models() -> None:
    for name, text in schema_texts().items():
        committed = (ROOT / "schemas" / name).read_text(encoding="utf-8")
        assert committed == text, f"schemas/{name} is stale: run `portal schemas`"


def test_every_field_has_a_chinese_description() -> None:
    for name, text in schema_texts().items():
        schema = json.loads(text)
        for model_name, model in [(name, schema), *schema.get("$defs", {}).items()]:
            for field, spec in model.get("properties", {}).items():
                assert spec.get("description"), f"{name}: {model_name}.{field} has no description"
