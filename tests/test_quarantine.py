"""A failure stays with its brand: a plugin that fails to import, or whose policy fails to
validate, is quarantined; its brands answer with one located line (exit 3), every other brand
decides as before. A plugins folder that gives nothing, or that others may write to, is said."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from scenario_helpers import scenario_case_file

from aftersales.policies import bundled

SCENARIOS = Path(__file__).parent / "scenarios"


_case = scenario_case_file


@pytest.fixture
def plugins(tmp_path):
    folder = tmp_path / "plugins"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    return folder


def test_a_drop_in_with_a_missing_import_stops_only_its_brand(tmp_path, plugins, cli):
    (plugins / "nokia.py").write_text("import os\nimport no_such_module_here\n", encoding="utf-8")
    os.chmod(plugins / "nokia.py", 0o644)
    for scenario in ("apple-cn-day10-deferred", "huawei-day10-onsite", "generic-day10-exchange"):
        code, out, err = cli("evaluate", _case(tmp_path, scenario), "--json", "--plugins-dir", str(plugins))
        assert code == 0, (scenario, err)
        assert json.loads(out)["brand"] == scenario.split("-")[0]
        assert "plugin 'nokia' is quarantined" in err          # said, never silent
    code, out, err = cli("evaluate", _case(tmp_path, "huawei-day10-onsite", brand="nokia"), "--plugins-dir", str(plugins))
    assert code == 3 and out == ""
    line = err.strip().splitlines()[-1]
    assert line.startswith("error: plugin 'nokia' is quarantined")
    assert "nokia.py:2:1" in line and "No module named 'no_such_module_here'" in line and "plugins folder" in line
    assert "Traceback" not in err
    code, out, err = cli("plugins", "list", "--json", "--plugins-dir", str(plugins))
    listed = {p["name"]: p for p in json.loads(out)["plugins"]}
    assert listed["nokia"]["state"] == "quarantined" and listed["apple"]["state"] == "ok"
    assert listed["nokia"]["quarantine"]["line"] == 2
    # the listing a network's IT person reads: Chinese first, English on request
    code, out, err = cli("plugins", "list", "--plugins-dir", str(plugins), env={"AFTERSALES_LANG": "zh"})
    assert code == 1 and "政策来源：" in out and "[已隔离]" in out and "[正常]" in out and "按购买日期" in out
    assert "插件 'nokia' 导入失败" in err and "quarantined" not in out + err and "policy:" not in out
    code, out, err = cli("plugins", "list", "--plugins-dir", str(plugins))
    assert "[quarantined]" in out and "policies: " in out and "failed to import" in err


def test_a_policy_with_a_wrong_type_quarantines_its_brand_located(tmp_path, cli):
    folder = tmp_path / "policies"
    folder.mkdir()
    text = bundled("apple.yaml").read_text(encoding="utf-8")
    assert "host: {months: 12}" in text
    (folder / "apple.yaml").write_text(text.replace("host: {months: 12}", "host: {months: twelve}", 1), encoding="utf-8")
    line_no = next(n for n, t in enumerate(text.splitlines(), 1) if "host: {months: 12}" in t)
    code, out, err = cli("evaluate", _case(tmp_path, "apple-cn-day10-deferred"), "--policies", str(folder))
    assert code == 3 and out == ""
    assert f"apple.yaml:{line_no}:" in err and "expected a whole number here, got text 'twelve'" in err and "policy validate" in err
    # one piece of advice, the one that fits a file of a folder: no published version to restore,
    # nothing to restart
    assert "restore" not in err and "restart" not in err
    code, out, err = cli("evaluate", _case(tmp_path, "apple-cn-day10-deferred"), "--policies", str(folder), "--lang", "zh")
    assert "请修正该文件（可用 aftersales policy validate 检查）" in err and "恢复" not in err and "重启" not in err
    for scenario in ("huawei-day10-onsite", "generic-day10-exchange"):
        code, out, err = cli("evaluate", _case(tmp_path, scenario), "--json", "--policies", str(folder))
        assert code == 0 and json.loads(out)["entitlement"] == "exchange", err


def test_a_policy_id_no_plugin_ships_is_named_at_its_id_with_the_nearest_in_chinese(tmp_path, cli):
    """``id: aple`` in a policies folder's apple.yaml: refused at the id, the policy meant named."""
    folder = tmp_path / "policies"
    folder.mkdir()
    text = bundled("apple.yaml").read_text(encoding="utf-8")
    (folder / "apple.yaml").write_text(text.replace("\nid: apple\n", "\nid: aple\n", 1), encoding="utf-8")
    line_no = next(n for n, t in enumerate(text.splitlines(), 1) if t == "id: apple")
    case = _case(tmp_path, "apple-cn-day10-deferred")
    code, out, err = cli("evaluate", case, "--policies", str(folder), "--lang", "zh")
    assert code == 2 and out == ""
    assert f"apple.yaml:{line_no}:5: $.id: 没有已加载的插件带有政策 'aple'；您是否想写 'apple'？" in err, err
    code, out, err = cli("evaluate", case, "--policies", str(folder))
    assert "no loaded plugin ships a policy 'aple'; did you mean 'apple'?" in err, err


def test_a_new_brands_policy_no_plugin_here_serves_is_left_out_and_every_brand_decides(tmp_path, cli):
    """A network's folder (or bundle) with a policy for a brand whose plugin this counter has not
    installed (honor): it stopped every brand here (exit 2). It is left out, said, and the other
    brands decide; a policy with an unknown id naming a brand served here stays an error (``aple``
    above: terms meant for apple would be lost)."""
    folder = tmp_path / "policies"
    folder.mkdir()
    text = bundled("huawei.yaml").read_text(encoding="utf-8")
    assert "brands: [huawei]" in text
    honor = text.replace("\nid: huawei\n", "\nid: honor\n", 1).replace("brands: [huawei]", "brands: [honor]", 1)
    (folder / "honor.yaml").write_text(honor, encoding="utf-8")
    for name, expected in (("apple-cn-day10-deferred", "exchange"), ("huawei-day10-onsite", "exchange"),
                           ("generic-day10-exchange", "exchange")):
        code, out, err = cli("evaluate", _case(tmp_path, name), "--json", "--policies", str(folder), "--lang", "zh")
        assert code == 0 and json.loads(out)["entitlement"] == expected, (name, err)
        assert "honor.yaml：没有已加载的插件带有政策 'honor'，也没有插件服务它的品牌（honor）：本机不使用这份政策" in err, err
    (folder / "honor.yaml").write_text(honor.replace("brands: [honor]", "brands: [honor, apple]", 1), encoding="utf-8")
    code, out, err = cli("evaluate", _case(tmp_path, "huawei-day10-onsite"), "--policies", str(folder))
    assert code == 2 and "no loaded plugin ships a policy 'honor'" in err, err


def test_a_policies_folders_copy_decides_and_traces_as_the_shipped_policy(tmp_path, cli):
    """The shipped policies given as a folder (or a bundle) decide as the plugins' own, every
    trace step naming its plugin: the offers' steps had an empty plugin (``:apple/return_doa
    refused``), compiled before their owner was known."""
    folder = tmp_path / "policies"
    folder.mkdir()
    for name in ("apple.yaml", "generic_sanbao.yaml"):
        (folder / name).write_text(bundled(name).read_text(encoding="utf-8"), encoding="utf-8")
    case = _case(tmp_path, "apple-cn-day10-deferred")
    code, shipped, err = cli("evaluate", case, "--json", "--trace")
    assert code == 0, err
    code, given, err = cli("evaluate", case, "--json", "--trace", "--policies", str(folder))
    assert code == 0, err
    assert all(step["plugin"] for step in json.loads(given)["trace"]), given
    assert given == shipped


def test_a_truncated_override_never_decides_its_brand(tmp_path, cli):
    """apple.yaml cut after its offers: the liquid-damaged unit is never decided without the
    exclusions (a free repair); apple answers with the missing section, the others decide."""
    folder = tmp_path / "policies"
    folder.mkdir()
    text = bundled("apple.yaml").read_text(encoding="utf-8")
    (folder / "apple.yaml").write_text(text[: text.index("\nexclusions:")] + "\n", encoding="utf-8")
    code, out, err = cli("evaluate", _case(tmp_path, "apple-cn-day10-deferred"), "--policies", str(folder))
    assert code == 3 and "missing required keys exclusions (When free remedies are refused), exchange (How" in err
    code, out, err = cli("evaluate", _case(tmp_path, "huawei-day10-onsite"), "--policies", str(folder))
    assert code == 0


def test_a_plugins_folder_others_may_write_to_is_refused(tmp_path, plugins, cli):
    (plugins / "acme.py").write_text("raise SystemExit('planted code ran')\n", encoding="utf-8")
    os.chmod(plugins, 0o777)
    code, out, err = cli("evaluate", _case(tmp_path, "huawei-day10-onsite"), "--plugins-dir", str(plugins))
    assert code == 0 and "is writable by others: none of its plugins is loaded" in err
    assert "$:" not in err and ":1:1" not in err   # no place in a file to name
    # the folder's plugin's brand answers with the folder's problem (exit 3), not as a brand no one knows
    code, out, err = cli("evaluate", _case(tmp_path, "huawei-day10-onsite", brand="acme"), "--plugins-dir", str(plugins))
    assert code == 3 and "plugin 'acme' is quarantined" in err and "its folder is writable by others" in err, err
    assert "unknown brand" not in err and "planted" not in out + err
    os.chmod(plugins, 0o755)
    os.chmod(plugins / "acme.py", 0o664)
    code, out, err = cli("evaluate", _case(tmp_path, "huawei-day10-onsite"), "--plugins-dir", str(plugins))
    assert code == 0 and "plugin 'acme' is quarantined" in err and "planted" not in out + err


def _drop_in(plugins: Path, name: str, source: str) -> None:
    """A plugin file in the plugins folder, as its owner alone may write it."""
    (plugins / f"{name}.py").write_text(source, encoding="utf-8")
    os.chmod(plugins / f"{name}.py", 0o644)


def test_a_folder_giving_no_plugin_and_a_second_version_are_said(tmp_path, plugins, cli):
    code, out, err = cli("evaluate", _case(tmp_path, "huawei-day10-onsite"), "--plugins-dir", str(plugins))
    assert code == 0 and "holds no plugin" in err
    _drop_in(plugins, "apple", "from aftersales.core.policyplugin import PolicyPlugin\n\n"
             "class Apple(PolicyPlugin):\n    name = 'apple'\n    version = '9.9'\n\nplugin = Apple()\n")
    code, out, err = cli("evaluate", _case(tmp_path, "apple-cn-day10-deferred"), "--plugins-dir", str(plugins))
    assert code == 0 and "plugin 'apple' in the plugins folder" in err and "is installed" in err


def test_a_broken_drop_in_bearing_an_installed_plugins_name_is_not_used_and_stops_nothing(tmp_path, plugins, cli):
    # a copy of huawei.py that does not even parse: the installed huawei plugin is the one used
    _drop_in(plugins, "huawei", "def broken(:\n")
    code, out, err = cli("evaluate", _case(tmp_path, "huawei-day10-onsite"), "--json", "--plugins-dir", str(plugins))
    assert code == 0 and json.loads(out)["entitlement"] == "exchange", err
    assert "plugin 'huawei' in the plugins folder" in err and "is not used" in err and "quarantined" not in err


def test_a_drop_in_claiming_an_installed_brand_decides_nothing_of_its_units(tmp_path, plugins, cli):
    # it claims apple and says every unit was made for no region the floor covers: the brand
    # stays with the apple plugin, and the drop-in is not asked where apple units were made
    _drop_in(plugins, "usurper", "from aftersales import hookimpl\n"
             "from aftersales.core.plugininfo import Brand\n"
             "from aftersales.core.outcomes import Identity\n\n"
             "@hookimpl\ndef aftersales_brands():\n    return [Brand('apple', '假苹果', 'Fake Apple')]\n\n"
             "@hookimpl\ndef aftersales_identify_device(case):\n"
             "    return Identity(region='OTHER', plugin='apple', policy=None, rule='r', citation='c')\n")
    case = _case(tmp_path, "apple-cn-day10-deferred")
    _, alone, _ = cli("evaluate", case, "--json")
    code, out, err = cli("evaluate", case, "--json", "--plugins-dir", str(plugins))
    assert code == 0 and json.loads(out) == json.loads(alone)
    assert "brand 'apple' is served by both 'apple' and 'usurper'" in err
    # plugins list, the IT person's audit, says it too (it showed the drop-in [ok], not a word)
    code, out, err = cli("plugins", "list", "--plugins-dir", str(plugins))
    assert code == 0 and "brand 'apple' is served by both 'apple' and 'usurper'" in err, err
    code, out, _ = cli("plugins", "list", "--json", "--plugins-dir", str(plugins))
    (said,) = json.loads(out)["load_warnings"]
    assert said["plugin"] == "usurper" and "品牌 'apple' 同时由插件 'apple' 和 'usurper' 提供" in said["message_zh"]


def test_what_a_plugin_prints_never_mixes_into_the_json(tmp_path, plugins, cli):
    # as it is imported, in a load-time hook and deciding a case: all on stderr
    _drop_in(plugins, "chatty", "from aftersales import hookimpl\nprint('loading chatty')\n\n"
             "@hookimpl\ndef aftersales_predicates():\n    print('offering none')\n    return {}\n\n"
             "@hookimpl\ndef aftersales_identify_device(case):\n    print('asked')\n    return None\n")
    case = _case(tmp_path, "apple-cn-day10-deferred")   # no device.region: the plugins are asked
    code, out, err = cli("evaluate", case, "--json", "--plugins-dir", str(plugins))
    assert code == 0 and json.loads(out)["brand"] == "apple"
    assert "loading chatty" in err and "offering none" in err and "asked" in err
    # a replay's decisions on stdout: one JSON line a case, nothing else
    lines = tmp_path / "cases.jsonl"
    lines.write_text(Path(case).read_text(encoding="utf-8").strip() + "\n", encoding="utf-8")
    code, out, err = cli("replay", str(lines), "--quiet", "--workers", "1", "--plugins-dir", str(plugins))
    assert code == 0 and [json.loads(line)["brand"] for line in out.splitlines()] == ["apple"], out + err
    assert "asked" in err
    # a case taken in at the counter (the store decides it): its --json answer too
    db = f"sqlite:///{tmp_path / 'cases.db'}"
    assert cli("db", "upgrade", "--db", db)[0] == 0
    env = {"AFTERSALES_PLUGINS_DIR": str(plugins)}
    code, out, err = cli("cases", "new", case, "--customer", "王芳", "--phone", "13800138000", "--store", "SZ01",
                         "--db", db, "--json", "--backdate", env=env)
    assert code == 0 and json.loads(out)["case"]["brand"] == "apple", out + err
    assert "asked" in err


def test_what_a_plugin_writes_past_python_never_mixes_into_the_json(tmp_path, plugins):
    """A child process a plugin starts, or ``os.write(1, ...)``, writes to the process's
    descriptor 1 itself: the command keeps its answer on a copy of it (``cli._answer_on_its_own``)."""
    import subprocess
    import sys

    _drop_in(plugins, "noisy", "import os, subprocess, sys\nfrom aftersales import hookimpl\n"
             "subprocess.run([sys.executable, '-c', 'print(\"child says hi\")'])\n\n"
             "@hookimpl\ndef aftersales_identify_device(case):\n    os.write(1, b'raw write\\n')\n    return None\n")
    case = _case(tmp_path, "apple-cn-day10-deferred")   # no device.region: the plugins are asked
    result = subprocess.run([sys.executable, "-m", "aftersales", "evaluate", case, "--json", "--plugins-dir", str(plugins)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and json.loads(result.stdout)["brand"] == "apple", result.stdout + result.stderr
    assert "child says hi" in result.stderr and "raw write" in result.stderr


def test_the_statutory_plugin_stays_unless_left_out_explicitly(tmp_path, cli):
    case = _case(tmp_path, "apple-cn-day10-deferred")
    code, out, err = cli("evaluate", case, "--json", env={"AFTERSALES_LOAD_PLUGINS": "apple"})
    decision = json.loads(out)
    assert code == 0 and decision["entitlement"] == "exchange" and "legal" not in decision
    env = {"AFTERSALES_LOAD_PLUGINS": "apple", "AFTERSALES_WITHOUT_STATUTORY": "1"}
    code, out, err = cli("evaluate", case, "--json", env=env)
    decision = json.loads(out)
    assert list(decision)[:2] == ["legal", "legal_notice"] and decision["legal"] is False
    assert "not a legal decision" in err
    code, out, err = cli("evaluate", case, "--lang", "en", env=env)
    assert out.splitlines()[0].startswith("!! not a legal decision")


def test_a_drop_in_shipping_another_plugins_policy_id_is_the_one_quarantined(tmp_path, plugins, cli):
    """A drop-in that ships an ``apple`` policy never takes Apple's terms over, whatever the
    order plugins load in: it is refused and named; Apple decides with its own."""
    acme = plugins / "acme"
    acme.mkdir()
    (acme / "apple.yaml").write_text(bundled("apple.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (acme / "__init__.py").write_text(
        "from pathlib import Path\n"
        "from aftersales.core.plugininfo import Brand\n"
        "from aftersales.core.policyplugin import PolicyPlugin\n\n"
        "class Acme(PolicyPlugin):\n    name = 'acme'\n    brands = [Brand('acme', '阿克米', 'Acme')]\n\n"
        "    def policy_files(self):\n        return [Path(__file__).with_name('apple.yaml')]\n\n"
        "plugin = Acme()\n", encoding="utf-8")
    for path in (acme, acme / "apple.yaml", acme / "__init__.py"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    code, out, err = cli("evaluate", _case(tmp_path, "apple-cn-day10-deferred"), "--json", "--plugins-dir", str(plugins))
    assert code == 0 and json.loads(out)["brand"] == "apple", err
    assert "plugin 'acme' is quarantined" in err and "plugin 'apple' is quarantined" not in err
    code, out, err = cli("evaluate", _case(tmp_path, "apple-cn-day10-deferred", brand="acme"), "--plugins-dir", str(plugins))
    # refused as Apple's policy, or as a policy for a brand acme does not serve (whichever is met first)
    assert code == 3 and ("policy id 'apple' belongs to plugin 'apple'" in err or "may not apply to apple" in err), err


def test_a_broken_statutory_policy_stops_every_brand(tmp_path, cli):
    """The floor is never dropped silently: with the statutory policy quarantined no brand decides."""
    folder = tmp_path / "policies"
    folder.mkdir()
    text = bundled("generic_sanbao.yaml").read_text(encoding="utf-8")
    (folder / "generic_sanbao.yaml").write_text(text.replace("host: {months: 12}", "host: {months: -1}", 1),
                                                encoding="utf-8")
    for scenario in ("apple-cn-day10-deferred", "huawei-day10-onsite", "generic-day10-exchange"):
        code, out, err = cli("evaluate", _case(tmp_path, scenario), "--policies", str(folder))
        assert code == 3 and out == "" and "plugin 'generic_sanbao' is quarantined" in err, scenario
        assert "generic_sanbao.yaml:" in err.strip().splitlines()[-1]


def test_plugins_list_names_each_plugins_state_and_the_folder_warnings(plugins, cli):
    code, out, err = cli("plugins", "list", "--json", "--plugins-dir", str(plugins))
    data = json.loads(out)
    assert code == 0 and data["statutory"] is True
    assert {p["name"]: p["state"] for p in data["plugins"]} == {"apple": "ok", "generic_sanbao": "ok", "huawei": "ok"}
    assert any("holds no plugin" in w for w in data["folder_warnings"])


def test_a_networks_region_comes_after_the_brands_own_rules_and_is_said_with_its_name(tmp_path, plugins, cli):
    """A plugin serving no brand (a network's) answers every unit's region: the brand's own
    policies still place their units first (a CH/A iPhone stays a mainland unit, the statutory
    floor with it); a unit no brand policy places (a generic phone) takes the network's answer,
    said with the name of the plugin that gave it."""
    _drop_in(plugins, "net", "from aftersales import hookimpl\nfrom aftersales.core.outcomes import Identity\n\n"
             "@hookimpl\ndef aftersales_identify_device(case):\n"
             "    return Identity(region='OTHER', plugin='apple', policy=None, rule='r', citation='c')\n")
    case = _case(tmp_path, "apple-cn-day10-deferred")   # no device.region: the plugins are asked
    code, out, _ = cli("evaluate", case, "--json", "--plugins-dir", str(plugins))
    decided = json.loads(out)
    assert code == 0 and (decided["region"], decided["region_rule"]) == ("CN", "apple/region_from_part_number")
    assert [p["id"] for p in decided["policies"]] == ["generic_sanbao", "apple"]
    assert decided["entitlement"] == "exchange"

    case = _case(tmp_path, "generic-day10-exchange")
    code, out, err = cli("evaluate", case, "--plugins-dir", str(plugins), env={"AFTERSALES_LANG": "zh"})
    assert code == 0 and "机器版本 其他地区（由插件 net 识别）" in out.splitlines()[0], out + err
    code, out, _ = cli("evaluate", case, "--json", "--plugins-dir", str(plugins))
    region = next(e for e in json.loads(out)["trace"] if e["effect"] == "region")
    assert region["plugin"] == "net"          # the plugin that answered, not the name it wrote


def test_a_plugin_registered_in_code_cannot_take_an_installed_brand(tmp_path):
    """The order a brand two plugins claim is kept by: bundled first, whatever registers later
    (a plugins folder's, or one registered in code) is named and serves none of its units."""
    from aftersales import hookimpl
    from aftersales.core.outcomes import Identity
    from aftersales.core.plugininfo import Brand
    from aftersales.core.registry import load_registry

    class Usurper:
        @hookimpl
        def aftersales_brands(self):
            return [Brand("apple", "假苹果", "Fake Apple")]

        @hookimpl
        def aftersales_identify_device(self, case):
            return Identity(region="OTHER", plugin="usurper", policy=None, rule="r", citation="c")

    registry = load_registry(extra=[("usurper", Usurper())])
    assert registry.brands["apple"].plugin == "apple"
    assert any("served by both 'apple' and 'usurper'" in str(e) for e in registry.load_errors)
    case = registry.parse_case(json.loads(Path(_case(tmp_path, "apple-cn-day10-deferred")).read_text(encoding="utf-8")))
    assert registry.evaluate(case).region == "CN"      # the usurper is not asked where it was made


def test_a_policy_plugin_whose_brands_are_not_a_list_of_brand_is_located_at_its_class(tmp_path, plugins, cli):
    """``brands = "xiaomi"`` in a ``PolicyPlugin``: the quarantine pointed at the helper's own
    code (core/policyplugin.py) with an AttributeError; it points at the plugin's class and says
    what the brands should be."""
    pkg = plugins / "xiaomi"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(
        "from aftersales.core.policyplugin import PolicyPlugin\n\n\n"
        "class Xiaomi(PolicyPlugin):\n    name = 'xiaomi'\n    brands = 'xiaomi'\n\n\nplugin = Xiaomi()\n",
        encoding="utf-8")
    for path in (pkg, pkg / "__init__.py"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    code, out, err = cli("plugins", "list", "--plugins-dir", str(plugins), "--lang", "zh")
    assert f"{pkg / '__init__.py'}:4:1" in out + err, out + err
    assert "返回了 str 'xiaomi'，不是 Brand 的列表" in out + err and "policyplugin.py" not in out + err
    code, out, err = cli("evaluate", _case(tmp_path, "huawei-day10-onsite"), "--json", "--plugins-dir", str(plugins))
    assert code == 0 and json.loads(out)["brand"] == "huawei", err


def test_a_drop_in_whose_every_brand_is_taken_says_so_plainly(tmp_path, plugins, cli):
    """A drop-in claiming only apple (served by the apple plugin) with a policy for apple: the
    quarantine said "只提供品牌 （它声明的品牌都由其他插件提供）", an empty list read as a sentence."""
    pkg = plugins / "usurp"
    pkg.mkdir()
    (pkg / "usurp.yaml").write_text(bundled("apple.yaml").read_text(encoding="utf-8").replace("id: apple", "id: usurp", 1),
                                    encoding="utf-8")
    (pkg / "__init__.py").write_text(
        "from pathlib import Path\nfrom aftersales.core.plugininfo import Brand\n"
        "from aftersales.core.policyplugin import PolicyPlugin\n\n"
        "class Usurp(PolicyPlugin):\n    name = 'usurp'\n    brands = [Brand('apple', '苹果', 'Apple')]\n\n"
        "    def policy_files(self):\n        return [Path(__file__).with_name('usurp.yaml')]\n\nplugin = Usurp()\n",
        encoding="utf-8")
    for path in (pkg, pkg / "usurp.yaml", pkg / "__init__.py"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    code, out, err = cli("plugins", "list", "--plugins-dir", str(plugins), "--lang", "zh")
    text = out + err
    assert "插件 'usurp' 声明的品牌都已由其他插件提供，它不提供任何品牌" in text, text
    assert "只提供品牌 （" not in text and "请在插件的 brands 中写它自己的品牌" in text


def test_a_load_time_failure_says_in_the_decision_that_the_plugins_terms_were_not_applied():
    """It said "在加载时出错，本判定没有采用它的这一答复": "this answer" meant nothing to a clerk."""
    from aftersales.core.plugininfo import failure_line

    line = failure_line("xiaomi", "aftersales_policy_files", "RuntimeError: 配置文件丢失")
    assert line.startswith("插件 xiaomi 加载时出错，它提供的政策条款未能采用，本判定按其余已加载的政策作出") and "这一答复" not in line


def test_a_failed_hook_is_in_plugins_list_json_and_a_quarantine_line_reads_as_one_sentence(plugins, cli):
    """``plugins list --json``: a plugin whose hook failed says which and why (its ``error`` is
    the import's, null here). A quarantine whose reason ends with a question (a typo's "did you
    mean") is followed by the advice, not by a stray ；."""
    from aftersales.core.plugininfo import Quarantine

    _drop_in(plugins, "oppo", "from aftersales import hookimpl\n\n@hookimpl\ndef aftersales_policies():\n"
             "    raise RuntimeError('boom')\n")
    code, out, _ = cli("plugins", "list", "--json", "--plugins-dir", str(plugins))
    oppo = next(p for p in json.loads(out)["plugins"] if p["name"] == "oppo")
    assert oppo["state"] == "hook failed"
    assert oppo["hook_failures"] == [{"hook": "aftersales_policies", "error": "RuntimeError: boom", "error_zh": ""}]
    q = Quarantine("xiaomi", "xiaomi.yaml", 48, 5, "unknown key 'documnets'; did you mean 'documents'?",
                   "fix the file", "请修正该文件", reason_zh="未知的键 'documnets'；您是否想写 'documents'？")
    assert q.line("zh").endswith("您是否想写 'documents'？请修正该文件")
    assert q.line("en").endswith("did you mean 'documents'? fix the file")
    assert Quarantine("x", "", 0, 0, "broken", "fix it", "修好").line("zh").endswith("broken；修好")


def test_a_plugin_slow_to_import_is_said_by_name(plugins, monkeypatch):
    """Every command waits for every plugin's import: one that takes long (a network call at
    import) is named with the time it took, and the other brands still decide."""
    from aftersales.core import registry as registry_module
    from aftersales.core.registry import load_registry

    monkeypatch.setattr(registry_module, "SLOW_IMPORT", 0.05)
    _drop_in(plugins, "oppo", "import time\ntime.sleep(0.1)\n\nfrom aftersales import hookimpl\n\n"
             "@hookimpl\ndef aftersales_predicates():\n    return {}\n")
    registry = load_registry(plugins_dir=plugins)
    said = [w for w in registry.warnings if "took" in w]
    assert len(said) == 1 and re.match(r"plugin 'oppo' took \d+\.\d s to import: every command waits for it", said[0])
    assert re.match(r"插件 'oppo' 导入用了 \d+\.\d 秒：每条命令都要等它", said[0].zh)
    monkeypatch.setattr(registry_module, "SLOW_IMPORT", 1.0)
    assert not [w for w in load_registry(plugins_dir=plugins).warnings if "took" in w]


def test_a_hook_that_fails_is_located_as_an_import_that_fails_is(tmp_path, plugins, cli, monkeypatch):
    """Two drop-ins quarantined side by side, one that cannot be imported and one whose
    ``aftersales_brands`` answers wrongly: both lines name the file the same way (relative to
    where the command runs, when it is below it), not one relative and one absolute."""
    (plugins / "crash.py").write_text("import no_such_module_here\n", encoding="utf-8")
    (plugins / "badbrand.py").write_text(
        "import pluggy\nhookimpl = pluggy.HookimplMarker('aftersales')\n\n\n"
        "@hookimpl\ndef aftersales_brands():\n    return ['xiaomi']\n", encoding="utf-8")
    for path in plugins.iterdir():
        os.chmod(path, 0o644)
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("evaluate", _case(tmp_path, "apple-cn-day10-deferred"), "--json", "--plugins-dir", "plugins")
    assert code == 0 and json.loads(out)["brand"] == "apple", err
    said = [line for line in err.splitlines() if "is quarantined" in line]
    assert len(said) == 2, err
    assert any(f"{Path('plugins', 'crash.py')}:1:1" in line for line in said), said
    assert any(f"{Path('plugins', 'badbrand.py')}:5:1" in line for line in said), said
    assert str(tmp_path) not in err
