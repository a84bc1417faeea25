"""The project's vocabulary: every id a case, a policy or a decision may use, with the labels
people read (Chinese first, English available). One table; the CLI, the TUI and the documents
all read their labels from here.
"""

from __future__ import annotations

from collections.abc import Iterable

# id -> (zh, en)
REMEDIES: dict[str, tuple[str, str]] = {
    "return": ("退货", "return"),
    "exchange": ("换货", "exchange"),
    "repair": ("免费维修", "free repair"),
    "paid_repair": ("付费维修", "paid repair"),
}
FREE_REMEDIES = ("return", "exchange", "repair")
REMEDY_ORDER = ("return", "exchange", "repair", "paid_repair")

BASES: dict[str, tuple[str, str]] = {
    "no_reason": ("无理由退货", "no-reason return"),
    "doa": ("7日内性能故障", "fault within 7 days (DOA)"),
    "dap": ("15日内性能故障", "fault within 15 days (DAP)"),
    "warranty": ("保修期内", "within warranty"),
    "repeat_failure": ("两次修理仍故障", "still faulty after two repairs"),
    "repair_overdue": ("修理超期", "repair overdue"),
    "extended": ("延保/服务计划", "extended cover / service plan"),
    "out_of_warranty": ("保外", "out of warranty"),
}

COMPONENTS: dict[str, tuple[str, str]] = {
    "host": ("主机", "handset"),
    "battery": ("电池", "battery"),
    "charger": ("充电器", "charger"),
    "earphone": ("有线耳机", "wired earphones"),
    "data_cable": ("数据线", "data cable"),
    "data_card": ("数据接口卡", "data card"),
    "terminal_card": ("移动终端卡", "terminal card"),
    "other_accessory": ("其他附件", "other accessory"),
}

PARTS: dict[str, tuple[str, str]] = {
    "screen": ("屏幕", "screen"),
    "back_cover": ("后盖", "back cover"),
    "other": ("其他部件", "other part"),
}

DOCUMENTS: dict[str, tuple[str, str]] = {
    "sanbao_certificate": ("三包凭证", "three-guarantees certificate"),
    "electronic_certificate": ("电子三包凭证（电子保卡）", "electronic three-guarantees certificate"),
    "invoice": ("购机发票", "invoice"),
    "invoice_copy": ("发票底联或复印件", "invoice stub or copy"),
    "warranty_card": ("保修卡", "warranty card"),
    "purchase_receipt": ("购物小票/购买凭证", "purchase receipt"),
    "exit_entry_proof": ("出入境证明", "entry/exit proof"),
    "id_document": ("身份证件", "identity document"),
    "repair_record": ("维修记录", "repair record"),
    "detection_report": ("检测单", "test report"),
}

REGIONS: dict[str, tuple[str, str]] = {
    "CN": ("国行", "mainland China"),
    "HK": ("港版", "Hong Kong"),
    "MO": ("澳门版", "Macau"),
    "TW": ("台版", "Taiwan"),
    "US": ("美版", "United States"),
    "JP": ("日版", "Japan"),
    "OTHER": ("其他地区", "other region"),
}

CHANNELS: dict[str, tuple[str, str]] = {
    "brand_store_online": ("品牌官网/官方商城", "brand online store"),
    "brand_store_retail": ("品牌直营店", "brand retail store"),
    "authorized_reseller": ("授权经销商", "authorized reseller"),
    "carrier": ("运营商", "carrier"),
    "online_marketplace": ("电商平台", "online marketplace"),
    "unauthorized": ("非授权渠道", "unauthorized seller"),
    "unknown": ("不明", "unknown"),
}

CONDITIONS: dict[str, tuple[str, str]] = {
    "liquid_damage": ("进液", "liquid damage"),
    "physical_damage": ("摔损/挤压", "physical damage"),
    "unauthorized_repair": ("非授权拆修", "unauthorized repair"),
    "jailbroken": ("越狱/root", "jailbroken or rooted"),
    "certificate_altered": ("凭证涂改", "certificate altered"),
    "identity_mismatch": ("凭证与实物不符", "papers do not match the unit"),
    "label_damaged": ("铭牌/SN/防拆标签损坏", "label, SN or seal damaged"),
    "cosmetic_wear": ("外观磨损划伤", "cosmetic wear"),
    "accessories_complete": ("附件齐全", "accessories complete"),
    "packaging_complete": ("包装齐全", "packaging complete"),
    "force_majeure": ("不可抗力", "force majeure"),
    "frame_bent": ("中框弯曲变形", "frame bent"),
}
# Flags that describe a defect (default false) versus completeness (default true is not assumed:
# every flag defaults to false; staff tick what they see).

COVERAGE_PLANS: dict[str, tuple[str, str]] = {
    "applecare_plus": ("AppleCare+", "AppleCare+"),
    "huawei_extended_warranty": ("华为延长服务宝", "Huawei extended warranty"),
    "huawei_screen_cover": ("华为碎屏服务宝", "Huawei screen cover"),
}

EXCHANGE_MODES: dict[str, tuple[str, str]] = {
    "on_site": ("当场更换", "exchange on the spot"),
    "deferred": ("留机待通知", "device left, replacement later"),
}

WARRANTY_AFTER: dict[str, tuple[str, str]] = {
    "restarts": ("换货后保修期重新计算", "warranty restarts from the exchange"),
    "continues": ("换货后延续原保修期", "warranty continues from the old unit"),
}

SERVICE_LOCATIONS: dict[str, tuple[str, str]] = {
    "any_authorized": ("任一授权服务点", "any authorized service point"),
    "brand_store_only": ("仅限品牌直营店", "brand stores only"),
    "seller": ("原销售商", "the seller"),
}

#: a yes/no answer that may stay unknown (a select: blank, 有, 无)
YES_NO: dict[str, tuple[str, str]] = {
    "true": ("有", "yes"),
    "false": ("无", "no"),
}

TABLES: dict[str, dict[str, tuple[str, str]]] = {
    "remedy": REMEDIES,
    "basis": BASES,
    "component": COMPONENTS,
    "part": PARTS,
    "document": DOCUMENTS,
    "region": REGIONS,
    "channel": CHANNELS,
    "condition": CONDITIONS,
    "coverage_plan": COVERAGE_PLANS,
    "exchange_mode": EXCHANGE_MODES,
    "warranty_after": WARRANTY_AFTER,
    "service_location": SERVICE_LOCATIONS,
    "yes_no": YES_NO,
}


def label(kind: str, id_: str, lang: str = "zh") -> str:
    """The label people read for ``id_`` of ``kind`` (``remedy``, ``document``...)."""
    entry = TABLES[kind].get(id_)
    if entry is None and kind == "document":
        entry = EXTENDED_DOCUMENTS.get(id_)
    if entry is None:
        return id_
    return entry[0] if lang == "zh" else entry[1]


def money(amount: float, currency: str = "CNY") -> str:
    """An amount people read: ¥5,639.06 (yuan, the counter's currency), else 12.00 USD."""
    return f"¥{amount:,.2f}" if currency == "CNY" else f"{amount:,.2f} {currency}"


def listed(items: Iterable[str], lang: str = "zh") -> str:
    """``items`` as a list people read: 发票、三包凭证 in Chinese, "invoice, warranty card" in English."""
    return ("、" if lang == "zh" else ", ").join(items)


# --------------------------------------------------------------------------- extensions
#
# A plugin's or a network's policies may declare ids of their own (``vocabulary`` in a policy:
# documents, and the items of a checklist a customer brings), with their two labels and the
# remedies they gate. The registry in force puts them here when it is built (load time, never on
# the decision path), so every label, the case check and the counter's tick lists know them.

#: id -> (zh, en) of the document and checklist ids the loaded policies declare
EXTENDED_DOCUMENTS: dict[str, tuple[str, str]] = {}
#: id -> "document" or "checklist"
DOCUMENT_KINDS: dict[str, str] = {}
#: id -> the remedies it gates (as its policy declares)
GATES: dict[str, tuple[str, ...]] = {}


def extend_documents(entries: dict[str, tuple[str, str, str, tuple[str, ...]]]) -> None:
    """Put the declared ids in force: ``{id: (zh, en, kind, gates)}`` (replaces the previous set)."""
    EXTENDED_DOCUMENTS.clear()
    DOCUMENT_KINDS.clear()
    GATES.clear()
    for id_, (zh, en, kind, gates) in entries.items():
        if id_ in DOCUMENTS:
            continue
        EXTENDED_DOCUMENTS[id_] = (zh, en)
        DOCUMENT_KINDS[id_] = kind
        GATES[id_] = tuple(gates)


def document_ids() -> frozenset[str]:
    """Every document id a case may name: the bundled ones and those the loaded policies declare."""
    return frozenset(DOCUMENTS) | frozenset(EXTENDED_DOCUMENTS)


