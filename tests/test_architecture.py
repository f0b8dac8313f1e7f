"""The stages import only downstream, and only the drawing code loads matplotlib."""
from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from conftest import ROOT

# Bottom to top: a module may import only modules of a lower layer. README's ARCHITECTURE section draws this.
LAYERS = [
    {"scan", "formats", "cache", "vocabulary", "rawhtml"},
    {"errors", "periods", "syntax", "kept"},
    {"load"},
    {"model"},
    {"walk"},
    {"translate"},
    {"checks"},
    {"plan_checks"},
    {"validate"},
    {"checked"},
    {"assemble"},
    {"paths"},
    {"trends"},
    {"markup"},
    {"canvas"},
    {"charts"},
    {"opendata"},
    {"search"},
    {"pages", "drafts"},
    {"shards", "reuse"},
    {"mkdocs_plugin"},
    {"build"},
    {"scaffold", "review", "schemas"},
    {"cli"},
]
LAYER = {name: level for level, names in enumerate(LAYERS) for name in names}


def _imports(module: str) -> dict[str, set[str]]:
    """Return the package modules and the outside packages that a module imports, anywhere in it."""
    tree = ast.parse((ROOT / "generator" / f"{module}.py").read_text(encoding="utf-8"))
    inside: set[str] = set()
    outside: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            inside.update([node.module] if node.module else [alias.name for alias in node.names])
        elif isinstance(node, ast.ImportFrom) and node.module:
            top = node.module.split(".")[0]
            (inside.update([node.module.split(".")[1]]) if top == "generator" else outside.add(top))
        elif isinstance(node, ast.Import):
            outside.update(alias.name.split(".")[0] for alias in node.names)
    return {"inside": inside, "outside": outside}


MODULES = sorted(path.stem for path in (ROOT / "generator").glob("*.py") if path.stem != "__init__")


def test_every_module_has_a_layer() -> None:
    assert sorted(LAYER) == MODULES


@pytest.mark.parametrize("module", MODULES)
def test_stages_import_only_downstream(module: str) -> None:
    upward = sorted(name for name in _imports(module)["inside"] if LAYER[name] >= LAYER[module])
    assert upward == [], f"{module} imports {upward}, which are not below it"


def test_only_the_canvas_imports_matplotlib() -> None:
    assert [m for m in MODULES if "matplotlib" in _imports(m)["outside"]] == ["canvas"]


@pytest.mark.parametrize("command", [["check"], ["diff", "HEAD"], ["schemas", "--help"]])
def test_commands_that_draw_nothing_never_load_matplotlib(command: list[str]) -> None:
    code = (
        "import sys, contextlib, io; from generator.cli import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()): main(sys.argv[1:])\n"
        "print(sorted(m for m in ('matplotlib', 'jinja2', 'numpy', 'PIL') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code, *command], cwd=ROOT, capture_output=True, text=True)
    assert result.stdout.splitlines()[-1] == "[]", result.stderr
