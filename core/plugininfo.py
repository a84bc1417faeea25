"""Small records describing plugins and brands (metadata, not decisions)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple


class Brand(NamedTuple):
    """A brand a plugin serves: its id in case files and the names people read."""

    id: str
    label_zh: str
    label_en: str
    plugin: str = ""
    #: more words a clerk may type to choose it: pinyin, initials (``("pingguo", "pg")``)
    aliases: tuple[str, ...] = ()

    def label(self, lang: str = "zh") -> str:
        return self.label_zh if lang == "zh" else self.label_en


def brand_name(brands: Any, brand: str, lang: str = "zh", *, short: bool = False) -> str:
    """``brand`` as its plugin names it (华为; Huawei in English), from ``brands`` (id -> ``Brand``,
    a registry's), else its id (the plugin is gone, or nothing is loaded). ``short``: without
    the explanation in brackets, for a narrow column (其他品牌（仅三包规定） → 其他品牌)."""
    found = (brands or {}).get(brand)
    if found is None:
        return brand
    label = found.label(lang)
    return without_note(label) if short else label


def without_note(name: str) -> str:
    """A name without the explanation in brackets after it (其他品牌（仅三包规定） → 其他品牌,
    移动电话机商品三包规定（法定底线） → 移动电话机商品三包规定), for a narrow place."""
    for bracket in ("（", "("):
        name = name.split(bracket, 1)[0]
    return name.strip()


#: where a plugin came from (``PluginInfo.origin``), as people read it: (zh, en)
ORIGINS = {"bundled": ("内置", "bundled"), "entry point": ("已安装的包", "entry point"), "folder": ("插件文件夹", "folder"),
           "registered": ("代码中注册", "registered in code")}


class PluginInfo:
    """What ``aftersales plugins list`` shows for one plugin."""

    __slots__ = ("name", "version", "origin", "hooks", "brands", "policies", "error", "error_zh")

    def __init__(self, name: str, version: str, origin: str, *, hooks: list[str] | None = None,
                 brands: list[str] | None = None, policies: list[dict] | None = None, error: str | None = None,
                 error_zh: str | None = None) -> None:
        self.name = name
        self.version = version
        self.origin = origin  # bundled | entry point | folder
        self.hooks = list(hooks or [])
        self.brands = list(brands or [])
        self.policies = list(policies or [])
        self.error = error
        #: what went wrong in Chinese (the error's own words when it has none)
        self.error_zh = error_zh or error

    def __repr__(self) -> str:
        return f"PluginInfo({self.name!r}, {self.version!r}, {self.origin!r}, error={self.error!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PluginInfo):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "version": self.version,
            "origin": self.origin,
            "hooks": list(self.hooks),
            "brands": list(self.brands),
            "policies": list(self.policies),
            "error": self.error,
            "error_zh": self.error_zh,
        }


def located(file: str, line: int, column: int) -> str:
    """``file:line:col``, or ``file`` alone where no position is known (line 0: a folder, a file
    refused whole, a plugin), as every plugin problem names its place."""
    return f"{file}:{line}:{column}" if line > 0 else file


class Quarantine(NamedTuple):
    """A plugin left out because it failed to import, register, load or validate.

    Its brands answer with :meth:`line` (exit 3) instead of a decision; every other brand is
    decided as usual. ``file``, ``line_no`` and ``column`` locate the first problem; ``hint``
    and ``hint_zh`` say what to do about it."""

    plugin: str
    file: str
    line_no: int
    column: int
    reason: str
    hint: str
    hint_zh: str
    brands: tuple[str, ...] = ()
    #: ``reason`` in Chinese, where the problem was said in both languages
    reason_zh: str = ""

    @property
    def where(self) -> str:
        """``file:line:col``; the file alone where there is no position (line 0: a folder, a file
        refused whole), empty where there is no file."""
        return located(self.file, self.line_no, self.column) if self.file else ""

    def where_in(self, lang: str) -> str:
        """``where`` as a message in ``lang`` says it (a bundle's file: ``政策包 3 的 apple.yaml``)."""
        from .policycache import file_in

        return file_in(self.where, lang)

    def line(self, lang: str = "en") -> str:
        """One line: which plugin, where, what is wrong, what to do."""
        where = f"{self.where_in(lang)}: " if self.where else ""
        if lang == "zh":
            reason = self.reason_zh or self.reason
            # a reason that ends a sentence of its own (您是否想写 'documents'？) takes no ；after it
            return f"插件 {self.plugin!r} 已隔离（其品牌暂不能判定）：{where}{reason}{'' if reason.endswith(('？', '。')) else '；'}{self.hint_zh}"
        return f"plugin {self.plugin!r} is quarantined (its brands cannot be decided): {where}{self.reason}" \
               f"{' ' if self.reason.endswith('?') else '; '}{self.hint}"

    def to_dict(self) -> dict:
        return {"plugin": self.plugin, "file": self.file, "line": self.line_no, "column": self.column,
                "reason": self.reason, "hint": self.hint, "hint_zh": self.hint_zh, "brands": list(self.brands)}


class Said(str):
    """A warning in English (the text itself) with its Chinese beside it (``zh``)."""

    zh: str

    def __new__(cls, en: str, zh: str) -> Said:
        obj = super().__new__(cls, en)
        obj.zh = zh
        return obj

    def text(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else str(self)


def said_in(message: Any, lang: str = "zh") -> str:
    """``message`` in ``lang`` when it carries both languages (``text(lang)``: a ``Said``, a
    policy issue), else as it is."""
    return message.text(lang) if hasattr(message, "text") else str(message)


# ------------------------------------------------------------------ how a plugin's failure reads

def describe(exc: BaseException) -> str:
    """``Type: message`` of an exception a plugin raised, on one line."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def show_value(value: Any) -> str:
    """A value a plugin returned, named shortly (its type and the start of its repr; a repr that
    fails is still named)."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a plugin's value whose repr fails is still named
        text = "?"
    return f"{type(value).__name__} {text[:60]}{'…' if len(text) > 60 else ''}"


#: what a ``PluginFailure`` names for a plugin refused as it registered (a wrapper hook)
REGISTER_HOOK = "register"
#: the per-case hook a ``PluginFailure`` names when a plugin failed identifying the device
IDENTIFY_HOOK = "aftersales_identify_device"
#: what a failure of a named predicate (``aftersales_predicates``) names: ``aftersales_predicates[NAME]``
PREDICATE_HOOK = "aftersales_predicates[{}]"
#: what a failure of a policy's offer worked out for a case names: ``policy POLICY/RULE``
POLICY_HOOK = "policy {}/{}"
_PREDICATE_OPENS, _POLICY_OPENS = PREDICATE_HOOK.partition("{")[0], POLICY_HOOK.partition("{")[0]


def failure_line(plugin: str, hook: str, error: str, lang: str = "zh") -> str:
    """A plugin's failure named in a decision (``PluginFailure``: plugin, hook, error), as the
    counter reads it: in Chinese, what the plugin was asked, in words, and what the decision did
    without it (the exception's own text, English as Python wrote it, is left to the JSON and the
    trace); in English, the plugin, the hook and the error as recorded."""
    if lang != "zh":
        if hook == REGISTER_HOOK:
            return f"plugin {plugin} was refused as it registered ({error}); decided without it"
        return f"plugin {plugin} failed in {hook}: {error}"
    if hook == REGISTER_HOOK:
        return f"插件 {plugin} 注册时被拒用，本判定没有采用它的任何答复；请联系网点 IT（详情在判定记录中）"
    if hook == IDENTIFY_HOOK:
        asked = "识别机器的销售地区"
    elif hook.startswith(_PREDICATE_OPENS):
        asked = f"判断条件「{hook[len(_PREDICATE_OPENS):].rstrip(']')}」"
    elif hook.startswith(_POLICY_OPENS):
        asked = "计算政策条款的期限和凭证"
    else:   # a load-time hook: what it would have given (its policies, its conditions) is not in force
        return (f"插件 {plugin} 加载时出错，它提供的政策条款未能采用，本判定按其余已加载的政策作出；"
                "请联系网点 IT（详情在判定记录中）")
    return f"插件 {plugin} 在{asked}时出错，本判定没有采用它的这一答复；请联系网点 IT（详情在判定记录中）"


def policy_titles(registry: Any, lang: str) -> dict[str, str]:
    """Policy id -> its title in ``lang`` (what the panel names a policy by)."""
    out: dict[str, str] = {}
    for policy in registry.all_policies() if registry is not None else ():
        title = (getattr(policy, "data", None) or {}).get("title") or {}
        if isinstance(title, Mapping) and title.get(lang):
            out[policy.id] = str(title[lang])
    return out
