"""Write what is derived from the table of case fields into the files that ship it.

    python tools/refresh_case_table.py          # rewrite policies/policy.schema.json and README.md
    python tools/refresh_case_table.py --check  # exit 1 when either is out of date

The table is ``aftersales.core.casefields.FIELDS``; the case's typed records (``core/model.py``)
are built from it as the model is imported. The policy schema's ``when`` properties and the
README's case-file reference are generated from it here; the tests fail when a file and the table
disagree.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from aftersales.core import casefields, vocab

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "policies" / "policy.schema.json"
README = ROOT / "README.md"
START, END = "<!-- case-fields:start -->", "<!-- case-fields:end -->"


def schema_text(current: str) -> str:
    schema = json.loads(current)
    when = schema["$defs"]["when"]
    when["properties"] = casefields.when_properties()
    when["patternProperties"] = casefields.when_pattern_properties()
    label_enums(schema)
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def label_enums(node: object) -> None:
    """Beside every enum of a vocabulary's ids, that vocabulary's labels (``core/vocab.py``), so an
    editor shows 三包凭证 beside ``sanbao_certificate``: ``enumDescriptions`` and
    ``markdownEnumDescriptions`` (VS Code's YAML language server) and ``x-labels`` (``{id: {zh, en}}``)."""
    if isinstance(node, list):
        for item in node:
            label_enums(item)
        return
    if not isinstance(node, dict):
        return
    enum = node.get("enum")
    if isinstance(enum, list) and enum:
        table = next((t for t in vocab.TABLES.values() if all(isinstance(v, str) and v in t for v in enum)), None)
        if table is not None:
            node["enumDescriptions"] = [f"{table[v][0]} / {table[v][1]}" for v in enum]
            node["markdownEnumDescriptions"] = [f"**{table[v][0]}** — {table[v][1]}" for v in enum]
            node["x-labels"] = {v: {"zh": table[v][0], "en": table[v][1]} for v in enum}
    for key, value in node.items():
        if key not in ("x-labels", "enum"):
            label_enums(value)


def readme_text(current: str) -> str:
    head, rest = current.split(START, 1)
    _old, tail = rest.split(END, 1)
    return f"{head}{START}\n{casefields.reference_markdown()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    stale = []
    for path, make in ((SCHEMA, schema_text), (README, readme_text)):
        current = path.read_text(encoding="utf-8")
        wanted = make(current)
        if wanted != current:
            stale.append(path.name)
            if "--check" not in argv:
                path.write_text(wanted, encoding="utf-8")
    if stale and "--check" in argv:
        print(f"out of date with the table of case fields: {', '.join(stale)}; run python tools/refresh_case_table.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
