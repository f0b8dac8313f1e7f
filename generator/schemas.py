"""Write JSON Schemas for editors from the same models the validator uses."""
from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from .model import Agency, Indicators, Plan, Report

SCHEMAS: dict[str, type[BaseModel]] = {"agency": Agency, "indicators": Indicators, "plan": Plan, "report": Report}


def schema_texts() -> dict[str, str]:
    """Return {file name: JSON text} for every record type."""
    out = {}
    for name, model in SCHEMAS.items():
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        out[f"{name}.schema.json"] = json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return out


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema into `folder`; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_texts().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
