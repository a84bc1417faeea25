"""``aftersales plugin new BRAND``: write a working brand plugin package.

The package it writes (``aftersales-BRAND/``) passes ``aftersales policy validate``,
``aftersales policy test`` and ``pip install -e`` as written, and loads both ways: installed (entry
point in the group ``aftersales.plugins``) or dropped into a plugins folder
(``--plugins-dir`` / ``AFTERSALES_PLUGINS_DIR`` pointing at ``aftersales-BRAND/``).

The templates live here as text (no package data to ship); ``{brand}`` and friends are filled with
``str.format``-free replacement so YAML braces stay as they are.
"""

from __future__ import annotations

import re
from pathlib import Path

from aftersales.core.errors import AftersalesError

BRAND_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class ScaffoldError(AftersalesError):
    """The scaffold cannot be written (bad brand id, folder in the way)."""

    exit_code = 2


PYPROJECT = '''[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "aftersales-@brand@"
version = "0.1.0"
description = "@label_zh@ 售后政策插件 — @label_en@ plugin for aftersales"
readme = "README.md"
license = {text = "MIT"}
requires-python = ">=3.11"
dependencies = ["@requirement@"]

[project.optional-dependencies]
test = ["pytest>=7"]

# how aftersales finds the plugin once installed
[project.entry-points."aftersales.plugins"]
@brand@ = "aftersales_@brand@:plugin"

[tool.setuptools]
packages = ["aftersales_@brand@"]

[tool.setuptools.package-data]
"aftersales_@brand@" = ["*.yaml", "*.json"]

[tool.pytest.ini_options]
testpaths = ["tests"]
pythonpath = ["."]
'''

TESTS = '''"""The policy's own checks, run by `pytest` (and by CI): the policy is valid with no warning
left unacknowledged, its cases pass and exercise every rule, and the plugin serves its brand.

They call the `aftersales` command as an editor would, so a failure reads like its output.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "aftersales_@brand@"


def aftersales(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "AFTERSALES_LANG": os.environ.get("AFTERSALES_LANG", "en")}
    return subprocess.run([sys.executable, "-m", "aftersales", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, check=False)


def test_the_policy_is_valid_with_every_warning_acknowledged():
    result = aftersales("policy", "validate", "--strict", str(PACKAGE))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_policy_cases_pass_and_exercise_every_rule():
    result = aftersales("policy", "test", "--strict", str(PACKAGE))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_plugin_serves_its_brand_and_ships_its_policy():
    from aftersales_@brand@ import plugin

    assert [brand.id for brand in plugin.brands] == ["@brand@"]
    (policy,) = plugin.policy_files()
    assert policy.is_file()
'''

WORKFLOW = '''# Checks the policy on every push and pull request: validate (warnings must be acknowledged),
# the policy tests with full rule coverage, and the pytest harness in tests/.
name: policy

on:
  push:
  pull_request:

jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: python -m pip install -e ".[test]"
      - run: aftersales policy validate --strict aftersales_@brand@/
      - run: aftersales policy test --strict aftersales_@brand@/
      - run: python -m pytest
'''

PRE_COMMIT = '''# pre-commit (https://pre-commit.com): `pre-commit install`, then each commit that touches the
# policy is validated and tested. Only the policy files match; other YAML is left alone.
repos:
  - repo: local
    hooks:
      - id: aftersales-policy-validate
        name: aftersales policy validate --strict
        entry: aftersales policy validate --strict
        language: system
        files: '^aftersales_@brand@/[^/]+\\.ya?ml$'
        exclude: '\\.cases\\.ya?ml$'
      - id: aftersales-policy-test
        name: aftersales policy test
        entry: aftersales policy test
        language: system
        files: '^aftersales_@brand@/[^/]+\\.ya?ml$'
'''

GITIGNORE = '''__pycache__/
*.py[cod]
*.egg-info/
build/
dist/
.venv/
venv/
.pytest_cache/
.mypy_cache/
.ruff_cache/
.coverage
htmlcov/
'''

LICENSE = '''MIT License

Copyright (c) @year@ the aftersales-@brand@ authors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
'''

INIT = '''"""@brand@: @label_en@'s after-sales terms for aftersales (policy in @brand@.yaml).

``PolicyPlugin`` answers the load-time hooks (brands, policy files) once per registry snapshot;
the engine compiles the policy and decides from it. For a condition YAML cannot say, return
``{name: function(case) -> bool}`` from ``predicates()`` and write ``predicate.<name>: true`` in a
``when``; for a region only code can find, add the per-case hook::

    @hookimpl
    def aftersales_identify_device(self, case):
        ...  # an Identity, or None for another brand's case

(the hooks are listed in aftersales' docs/plugins.md).
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from aftersales.core.plugininfo import Brand
from aftersales.core.policyplugin import PolicyPlugin

__version__ = "0.1.0"


class @Class@Plugin(PolicyPlugin):
    name = "@brand@"
    version = __version__
    brands = [Brand("@brand@", "@label_zh@", "@label_en@")]

    def policy_files(self) -> list[Any]:
        return [resources.files(__package__ or __name__) / "@brand@.yaml"]


plugin = @Class@Plugin()
'''

POLICY = '''# yaml-language-server: $schema=policy.schema.json
# @label_en@ (@label_zh@): the brand's own after-sales terms. For mainland units the statutory
# policy (generic_sanbao) applies too; a brand may give more, never less (`policy validate`
# warns when a term is below the floor). Check with:
#   aftersales policy validate aftersales_@brand@/   and   aftersales policy test aftersales_@brand@/
# A `citation` is what customers read: name the public source (the brand's published terms, the
# regulation's article). Notes for editors (where a rule was taken from) go in the rule's `ref`.
schema_version: 1
id: @brand@
kind: brand
version: "0.1.0"
title:
  zh: @label_zh@售后服务政策
  en: @label_en@ after-sales terms
source: 请填写政策原文出处 / name the brand's published warranty terms here
effective:
  from: "2024-01-01"
  by: purchase_date

applies_to:
  brands: [@brand@]

region_rules:
  - id: region_from_country
    field: purchase.country
    map: {CN: CN, HK: HK, MO: MO, TW: TW, US: US, JP: JP}
    default: OTHER
    citation: 按购买地判断产地；如有型号代码规则请在此补充

starts:
  invoice:
    from: purchase_date
    citation: 保修期自购机发票开具之日起计算

periods:
  host: {months: 12}
  battery: {months: 12}
  charger: {months: 12}
  earphone: {months: 3}

offers:
  - id: repair_warranty
    remedy: repair
    basis: warranty
    when: {fault.confirmed: true}
    start: invoice
    period: warranty
    documents: [[invoice, invoice_copy]]
    asks: [sanbao_certificate]
    service_location: any_authorized
    citation: 主机1年、电池1年、充电器1年、耳机3个月保修（各地购买均可），凭发票（或底联、复印件）办理
  - id: paid_repair
    remedy: paid_repair
    basis: out_of_warranty
    service_location: any_authorized
    citation: 保外或不在保修范围的，授权服务中心收费维修

exclusions:
  - id: expired
    on_expiry: true
    message:
      zh: 已超出保修期
      en: "the warranty has ended"
    citation: 超出保修期限
  - id: liquid_damage
    when: {condition.liquid_damage: true}
    message:
      zh: 进液损坏不在保修范围
      en: "liquid damage, not covered"
    citation: 进液等人为损坏不在保修范围

exchange:
  mode: on_site
  warranty_after: restarts
  citation: 检测确认故障后当场更换；换货后三包有效期自换货之日起重新计算（第二十一条）
'''

CASES = '''# Policy tests for @brand@.yaml: `aftersales policy test aftersales_@brand@/`.
# Each item: name, source, case (a v1 case; give case_date), expect (see the aftersales README,
# "For policy editors"). Together the cases must exercise every offer and exclusion.

- name: 国行电池第240日故障：品牌保修1年（高于三包6个月）
  source: "@brand@.yaml periods.battery"
  case: &cn
    case_date: "2026-06-15"
    brand: @brand@
    device: {model: Example Phone}
    purchase: {channel: authorized_reseller, date: "2025-10-18", country: CN}
    documents: [invoice, sanbao_certificate]
    fault: {component: battery, confirmed: true}
  expect:
    region: CN
    available: [repair]
    granted_by: {repair: @brand@/repair_warranty}

- name: 国行主机两年后故障：已过保，付费维修
  source: "@brand@.yaml exclusions.expired"
  case:
    <<: *cn
    purchase: {channel: authorized_reseller, date: "2024-05-10", country: CN}
    fault: {component: host, confirmed: true}
  expect:
    available: [paid_repair]
    exclusions: [expired]

- name: 进液：不在保修范围
  source: "@brand@.yaml exclusions.liquid_damage"
  case: {<<: *cn, condition: {liquid_damage: true}}
  expect: {free_remedy: false, exclusions: [liquid_damage]}

- name: 国行主机第10日故障：三包换货，按品牌换货规则当场换机
  source: "@brand@.yaml exchange；第十二条"
  case:
    <<: *cn
    purchase: {channel: authorized_reseller, date: "2026-06-05", country: CN}
    fault: {component: host, confirmed: true}
  expect:
    available_includes: [exchange, repair]
    exchange_mode: on_site
    warranty_after: restarts
    service_location: {repair: any_authorized}

- name: 国行充电器第8个月故障：保修1年内
  source: "@brand@.yaml periods.charger"
  case: {<<: *cn, fault: {component: charger, confirmed: true}}
  expect: {available_includes: [repair], granted_by: {repair: @brand@/repair_warranty}}

- name: 国行耳机第2个月故障：保修3个月内
  source: "@brand@.yaml periods.earphone"
  case:
    <<: *cn
    purchase: {channel: authorized_reseller, date: "2026-04-20", country: CN}
    fault: {component: earphone, confirmed: true}
  expect: {available_includes: [repair], granted_by: {repair: @brand@/repair_warranty}, end: {repair: "2026-07-20"}}

- name: 香港购买，主机第8个月故障：品牌保修（三包不适用）
  source: "@brand@.yaml periods.host"
  case:
    <<: *cn
    purchase: {channel: authorized_reseller, date: "2025-10-18", country: HK}
    fault: {component: host, confirmed: true}
  expect:
    region: HK
    available: [repair]
    granted_by: {repair: @brand@/repair_warranty}

- name: 香港购买，两年后故障：品牌付费维修
  source: "@brand@.yaml offers.paid_repair"
  case:
    <<: *cn
    purchase: {channel: authorized_reseller, date: "2024-05-10", country: HK}
    fault: {component: host, confirmed: true}
  expect:
    region: HK
    available: [paid_repair]
    granted_by: {paid_repair: @brand@/paid_repair}
'''

README = '''# aftersales-@brand@ — @label_zh@ / @label_en@ plugin for aftersales

This package teaches [aftersales](https://example.invalid/aftersales) the after-sales terms of
@label_en@. It is data: the rules are in `aftersales_@brand@/@brand@.yaml`; the Python class only
tells aftersales where the file is.

## Layout

| file | what it is |
| --- | --- |
| `aftersales_@brand@/@brand@.yaml` | the policy: periods, documents, exclusions, exchange rule, each rule with a citation |
| `aftersales_@brand@/@brand@.cases.yaml` | policy tests: example cases and the outcome each must get |
| `aftersales_@brand@/policy.schema.json` | the policy JSON Schema, for editor completion (refresh: `aftersales policy schema -o aftersales_@brand@/policy.schema.json`) |
| `aftersales_@brand@/__init__.py` | the plugin object (`PolicyPlugin` subclass) |
| `pyproject.toml` | the package, with the entry point `@brand@` in the group `aftersales.plugins` |

## Changing the terms

1. Edit `@brand@.yaml` (editors with the YAML language server complete and check as you type).
2. `aftersales policy validate aftersales_@brand@/` — every error as `file:line:column`; warnings
   name terms below the statutory floor for mainland units (`--strict` makes them fail).
3. Add or adjust cases in `@brand@.cases.yaml`, then `aftersales policy test aftersales_@brand@/`:
   it prints expected against actual for a failing case and the rules no case exercises.
4. A new version of the terms: copy the file, give it a new `version` and `effective.from`, and
   set `effective.until` on the old one to the day before (no gaps, no overlaps).

## Using the plugin

- Without installing: `aftersales evaluate CASE --plugins-dir .` (or `AFTERSALES_PLUGINS_DIR=$PWD`)
  from this folder, i.e. point the drop-in folder at the folder holding `aftersales_@brand@/`.
- Installed: `pip install -e .` (or build a wheel); aftersales then finds it by its entry point.
  `aftersales plugins list` shows it with its version, hooks and policies.
'''


def requirement(version: str | None = None) -> str:
    """The dependency on aftersales: from the installed version up to the next one that may break
    (the next minor while the major is 0, else the next major)."""
    if version is None:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as installed

        try:
            version = installed("aftersales")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            version = "0.1.0"
    parts = [int(p) for p in re.findall(r"\d+", version)[:2]] + [0, 0]
    major, minor = parts[0], parts[1]
    upper = f"{major}.{minor + 1}" if major == 0 else f"{major + 1}"
    return f"aftersales>={major}.{minor},<{upper}"


def _fill(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace(f"@{key}@", value)
    return template


def scaffold(brand: str, directory: str | Path = ".", *, label_zh: str | None = None, label_en: str | None = None,
             force: bool = False) -> Path:
    """Write ``aftersales-BRAND/`` under ``directory``; returns the project folder."""
    if not BRAND_ID.match(brand):
        raise ScaffoldError(f"brand id {brand!r} must be lower-case letters, digits and underscores, starting with a letter",
                            field="BRAND", zh=f"品牌 id {brand!r} 只能用小写字母、数字和下划线，并以字母开头"
                                              + (f"，例如 {brand.lower()!r}" if BRAND_ID.match(brand.lower()) else ""))
    if brand in ("generic", "generic_sanbao", "apple", "huawei"):
        raise ScaffoldError(f"brand {brand!r} is already served by a bundled plugin", field="BRAND",
                            zh=f"品牌 {brand!r} 已由内置插件提供")
    root = Path(directory) / f"aftersales-{brand}"
    if root.exists() and any(root.iterdir()) and not force:
        raise ScaffoldError(f"{root} already exists and is not empty (use --force to overwrite the generated files)",
                            zh=f"{root} 已存在且不为空（用 --force 覆盖生成的文件）")
    label_en = label_en or brand.replace("_", " ").title()
    from datetime import date

    values = {"brand": brand, "label_zh": label_zh or label_en, "label_en": label_en,
              "Class": "".join(part.title() for part in brand.split("_")), "requirement": requirement(),
              "year": str(date.today().year)}
    package = root / f"aftersales_{brand}"
    package.mkdir(parents=True, exist_ok=True)
    (root / "tests").mkdir(exist_ok=True)
    (root / ".github" / "workflows").mkdir(parents=True, exist_ok=True)
    from aftersales.policies import bundled

    schema = bundled("policy.schema.json").read_text(encoding="utf-8")
    files = {
        root / "pyproject.toml": _fill(PYPROJECT, values),
        root / "README.md": _fill(README, values),
        package / "__init__.py": _fill(INIT, values),
        package / f"{brand}.yaml": _fill(POLICY, values),
        package / f"{brand}.cases.yaml": _fill(CASES, values),
        package / "policy.schema.json": schema,
        root / "tests" / "test_policy.py": _fill(TESTS, values),
        root / ".github" / "workflows" / "policy.yml": _fill(WORKFLOW, values),
        root / ".pre-commit-config.yaml": _fill(PRE_COMMIT, values),
        root / ".gitignore": GITIGNORE,
        root / "LICENSE": _fill(LICENSE, values),
    }
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return root
