"""`aftersales plugin new`: a working package, loaded as a drop-in and installed by its entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from aftersales.core.registry import load_registry

CASE = {
    "case_date": "2026-06-15", "brand": "xiaomi",
    "device": {"model": "Xiaomi 14"},
    "purchase": {"channel": "authorized_reseller", "date": "2025-10-18", "country": "CN"},
    "documents": ["invoice", "sanbao_certificate"],
    "fault": {"component": "battery", "confirmed": True},
}


@pytest.fixture
def xiaomi(tmp_path, cli):
    code, out, err = cli("plugin", "new", "xiaomi", "--dir", str(tmp_path), "--label-zh", "小米")
    assert code == 0, out + err
    return tmp_path / "aftersales-xiaomi"


def test_scaffold_writes_a_complete_package(xiaomi):
    pkg = xiaomi / "aftersales_xiaomi"
    for path in (xiaomi / "pyproject.toml", xiaomi / "README.md", pkg / "__init__.py", pkg / "xiaomi.yaml",
                 pkg / "xiaomi.cases.yaml", pkg / "policy.schema.json", xiaomi / "tests" / "test_policy.py",
                 xiaomi / ".github" / "workflows" / "policy.yml", xiaomi / "LICENSE", xiaomi / ".gitignore",
                 xiaomi / ".pre-commit-config.yaml"):
        assert path.is_file(), path
    assert 'dependencies = ["aftersales>=0.1,<0.2"]' in (xiaomi / "pyproject.toml").read_text(encoding="utf-8")
    assert '[project.entry-points."aftersales.plugins"]' in (xiaomi / "pyproject.toml").read_text(encoding="utf-8")
    assert 'xiaomi = "aftersales_xiaomi:plugin"' in (xiaomi / "pyproject.toml").read_text(encoding="utf-8")
    assert (pkg / "xiaomi.yaml").read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=policy.schema.json")


def test_scaffold_passes_validate_and_test_out_of_the_box(xiaomi, cli):
    pkg = xiaomi / "aftersales_xiaomi"
    code, out, err = cli("policy", "validate", "--strict", str(pkg))
    assert code == 0, out + err
    code, out, err = cli("policy", "test", "--strict", str(pkg))
    assert code == 0, out + err
    assert "8/8 cases pass; rule coverage 11/11" in out


def test_scaffold_refuses_a_bad_brand_id_and_an_existing_folder(tmp_path, cli, xiaomi):
    code, _, err = cli("plugin", "new", "Xiao-Mi", "--dir", str(tmp_path))
    assert code == 2 and "lower-case" in err and "Traceback" not in err
    code, _, err = cli("plugin", "new", "xiaomi", "--dir", str(xiaomi.parent))
    assert code == 2 and "already exists" in err


def test_drop_in_folder_loads_the_scaffold(xiaomi, cli):
    registry = load_registry(plugins_dir=xiaomi)
    assert registry.plugins["xiaomi"].origin == "folder"
    # the scaffold's own tests/ folder is not named as a stray entry; a stray folder elsewhere still is
    assert not [w for w in registry.warnings if "tests" in str(w)], registry.warnings
    (xiaomi.parent / "junk").mkdir()
    assert [w for w in load_registry(plugins_dir=xiaomi.parent).warnings if "junk" in str(w)]
    decision = registry.evaluate(registry.parse_case(CASE))
    assert decision.available() == ["repair"]
    assert decision.remedy("repair").rule == "repair_warranty" and decision.remedy("repair").policy == "xiaomi"
    code, out, _ = cli("plugins", "list", "--json", env={"AFTERSALES_PLUGINS_DIR": str(xiaomi)})
    assert code == 0
    info = {p["name"]: p for p in json.loads(out)["plugins"]}["xiaomi"]
    assert info["origin"] == "folder" and info["policies"][0]["valid"] and info["version"] == "0.1.0"
    assert {"aftersales_brands", "aftersales_policy_files"} <= set(info["hooks"])


def test_a_scaffold_that_fails_to_import_answers_for_its_brand(xiaomi, tmp_path, cli):
    """The scaffold's package broken (a colon lost) in a drop-in folder: its brand's cases
    answer with the plugin's quarantine, named by the brand, exit 3, as a one-file plugin's do
    (not as a brand no one knows, which a counter reads as its own typing mistake); the other
    brands decide; the quarantine names the file and line."""
    init = xiaomi / "aftersales_xiaomi" / "__init__.py"
    init.write_text(init.read_text(encoding="utf-8").replace("class XiaomiPlugin(PolicyPlugin):",
                                                              "class XiaomiPlugin(PolicyPlugin)"), encoding="utf-8")
    case = tmp_path / "case.json"
    case.write_text(json.dumps({**CASE, "case_date": "2026-06-15"}), encoding="utf-8")
    for folder in (xiaomi, xiaomi.parent):   # the scaffold's folder itself, or the folder holding it
        code, out, err = cli("evaluate", str(case), "--plugins-dir", str(folder), env={"AFTERSALES_LANG": "zh"})
        line = err.strip().splitlines()[-1]
        assert code == 3 and line.startswith("错误：插件 'xiaomi' 已隔离（其品牌暂不能判定）："), err
        assert "aftersales_xiaomi/__init__.py:" in line and "SyntaxError" in line and "未知品牌" not in err
        other = {**CASE, "brand": "huawei", "case_date": "2026-06-15"}
        case.write_text(json.dumps(other), encoding="utf-8")
        assert cli("evaluate", str(case), "--plugins-dir", str(folder))[0] == 0
        case.write_text(json.dumps({**CASE, "case_date": "2026-06-15"}), encoding="utf-8")


def test_the_scaffolds_exchange_rule_does_not_call_a_battery_exchange_a_phone_exchange(xiaomi):
    """The one exchange rule a new brand's policy starts with is cited for every exchange, a
    battery's too: its words fit both (换货, not 换机)."""
    registry = load_registry(plugins_dir=xiaomi)
    battery = {**CASE, "purchase": {**CASE["purchase"], "date": "2026-03-01"}}
    decision = registry.evaluate(registry.parse_case(battery))
    assert "exchange" in decision.available()
    assert decision.exchange.policy == "xiaomi"
    assert "换机" not in decision.exchange.citation and "第二十一条" in decision.exchange.citation


@pytest.mark.slow
def test_pip_install_e_registers_the_entry_point(xiaomi, tmp_path):
    """A throwaway venv that sees this project's environment through a .pth, then pip install -e."""
    venv = tmp_path / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    py = venv / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    ours = sysconfig.get_paths()["purelib"]
    Path(site, "_aftersales_parent.pth").write_text(f"import site; site.addsitedir({ours!r})\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AFTERSALES_", "PYTHON"))}
    result = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-build-isolation",
                             "--no-index", "-q", "-e", str(xiaomi)], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    script = ("import json; from aftersales.core.registry import load_registry\n"
              "r = load_registry()\n"
              f"d = r.evaluate(r.parse_case({CASE!r}))\n"
              "print(json.dumps({'origin': r.plugins['xiaomi'].origin, 'available': d.available(), "
              "'rule': d.remedy('repair').rule}))\n")
    result = subprocess.run([str(py), "-c", script], capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"origin": "entry point", "available": ["repair"], "rule": "repair_warranty"}
    # installed, the scaffold's CI steps pass as well (its pytest harness with them)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    for step in _ci_steps(xiaomi)[1:]:
        result = subprocess.run(step, shell=True, cwd=xiaomi, capture_output=True, text=True, timeout=300, env=env)
        assert result.returncode == 0, (step, result.stdout + result.stderr)


def test_the_dependency_range_stops_before_a_breaking_version():
    from aftersales.authoring.scaffold import requirement

    assert requirement("0.1.0") == "aftersales>=0.1,<0.2"
    assert requirement("0.4.2") == "aftersales>=0.4,<0.5"
    assert requirement("1.3.0") == "aftersales>=1.3,<2"


def _ci_steps(project: Path) -> list[str]:
    import yaml

    workflow = yaml.safe_load((project / ".github" / "workflows" / "policy.yml").read_text(encoding="utf-8"))
    return [step["run"] for step in workflow["jobs"]["check"]["steps"] if "run" in step]


def test_the_scaffolds_ci_passes_out_of_the_box_before_install(xiaomi):
    """Every step of the scaffold's CI workflow but the install, run in the project as CI would."""
    steps = _ci_steps(xiaomi)
    assert steps[0].startswith("python -m pip install -e")
    bindir = str(Path(sys.executable).parent)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("AFTERSALES_")},
           "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
    for step in steps[1:]:
        command = step.replace("python ", f"{sys.executable} ", 1) if step.startswith("python ") else step
        result = subprocess.run(command, shell=True, cwd=xiaomi, capture_output=True, text=True, timeout=300, env=env)
        assert result.returncode == 0, (step, result.stdout + result.stderr)


def test_the_pre_commit_config_matches_the_policy_files_only(xiaomi):
    import re

    import yaml

    config = yaml.safe_load((xiaomi / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    for hook in config["repos"][0]["hooks"]:
        files, exclude = re.compile(hook["files"]), re.compile(hook.get("exclude", "^$"))
        assert files.search("aftersales_xiaomi/xiaomi.yaml") and not exclude.search("aftersales_xiaomi/xiaomi.yaml")
        for other in (".pre-commit-config.yaml", ".github/workflows/policy.yml", "pyproject.toml"):
            assert not files.search(other)
