"""The core is pure and imported under one namespace only."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_core_does_not_import_ui_cli_or_database():
    code = (
        "import sys\n"
        "from aftersales.core.registry import default_registry\n"
        "from aftersales.core.model import parse_case\n"
        "r = default_registry()\n"
        "r.evaluate(r.parse_case({'case_date': '2026-06-15', 'brand': 'generic', 'device': {'model': 'x'},"
        " 'fault': {'component': 'host', 'confirmed': True}}))\n"
        "bad = [m for m in ('textual', 'click', 'sqlalchemy', 'rich', 'alembic') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_decision_path_has_no_io_calls():
    banned = {"open", "input", "print"}
    for name in ("engine.py", "rules.py", "decision.py", "model.py", "dates.py", "outcomes.py"):
        tree = ast.parse((ROOT / "core" / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in banned, f"{name}: {node.func.id}()"
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                for mod in mods:
                    assert mod.split(".")[0] not in {"os", "time", "sqlalchemy", "click", "textual", "pathlib"}, f"{name}: {mod}"


def test_nothing_imports_top_level_core_or_tui_bare():
    offenders = []
    for path in ROOT.rglob("*.py"):
        if ".venv" in path.parts or "build" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                if name.split(".")[0] in {"core", "tui", "plugins", "policies", "store", "cli"}:
                    offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []
