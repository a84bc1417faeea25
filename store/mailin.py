"""The mail-in record (寄送维修协议书, seed 000): what the customer fills in when a unit is sent
by courier instead of brought to the counter.

Fields (all text unless said; the product fields default from the case):

==================  =============================  ==========================================
field               协议书                          notes
==================  =============================  ==========================================
courier             发货快递商名称                    required
product             产品名称                          default: the case's brand (as people read it) and model
model_config        产品型号/配置                     default: the case's model
serial              机器序列号                        default: the case's serial or IMEI
accessories         随机附件                          list of text
fault               故障现象                          default: the case's fault description, else its component
original_packaging  是否使用原包装                    yes/no, required (bad packaging voids free service)
return_by           维修完成后取回方式                 ``post`` (寄回) or ``pickup`` (自取), required
pickup_note         其它取回方式说明                   with ``pickup``
transport           运输方式                          ``air`` 航空 / ``rail`` 铁路 / ``road`` 公路, with ``post``
carrier             运输公司名称                      with ``post``
insurance           是否需要购买保险                   yes/no
insurance_amount    保险金额 (元)                     required when insured, > 0
express             是否加急                          yes/no
return_address      返回地址                          required with ``post``
return_postcode     返回邮政编码                       6 digits, required with ``post``
return_phone        返回联系电话                       a phone number, required with ``post``
data_backup_acknowledged  已知维修可能清除数据          must be true: the agreement's clause 1
==================  =============================  ==========================================
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from aftersales.core import vocab

from .contact import normalize_phone
from .errors import StoreError

RETURN_BY = {"post": ("邮寄寄回", "by post"), "pickup": ("自取", "pickup")}
TRANSPORT = {"air": ("航空运输", "air"), "rail": ("铁路运输", "rail"), "road": ("公路运输", "road")}
FIELDS = ("courier", "product", "model_config", "serial", "accessories", "fault", "original_packaging",
          "return_by", "pickup_note", "transport", "carrier", "insurance", "insurance_amount", "express",
          "return_address", "return_postcode", "return_phone", "data_backup_acknowledged")
_POSTCODE = re.compile(r"^\d{6}$")


def _where(key: str) -> str:
    return f"mail_in.{key}"


def _text(data: Mapping, key: str, *, required: bool = False, default: str | None = None) -> str | None:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required and not default:
            raise StoreError("required", field=_where(key), zh="必填")
        return default
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise StoreError(f"must be text, not {type(value).__name__}", field=_where(key), zh="应为文字")
    return " ".join(str(value).split())


def _flag(data: Mapping, key: str, *, required: bool = False) -> bool:
    value = data.get(key)
    if value is None:
        if required:
            raise StoreError("required: true or false", field=_where(key), zh="必填：是或否")
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("是", "yes", "y", "true"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("否", "no", "n", "false"):
        return False
    raise StoreError(f"must be true or false (是/否), not {value!r}", field=_where(key), zh=f"应为 是 或 否，不是 {value!r}")


def product_words(brand: str | None, model: str | None, brand_name: str | None = None) -> str:
    """The product as people read it: the brand's name (``brand_name``: 华为, not ``huawei``) and
    the model; the model alone for ``generic`` (a unit of any brand, its name is the model's)."""
    said = "" if brand == "generic" else (brand_name or brand or "")
    return f"{said} {model or ''}".strip()


def parse_mail_in(data: Any, case: Mapping[str, Any], brand_name: str | None = None) -> dict[str, Any]:
    """Validate a mail-in record against the v1 ``case`` mapping; returns the stored form. The
    product defaults to the brand as people read it (``brand_name``: 华为, not ``huawei``; none
    for the brand of the regulation alone) and the model; the fault to its description, else its
    component's label."""
    if not isinstance(data, Mapping):
        raise StoreError(f"a mail-in record must be a mapping of fields, not {type(data).__name__}", field="mail_in",
                         zh=f"寄修信息应为“字段: 值”的映射，而不是 {type(data).__name__}")
    for key in data:
        if key not in FIELDS:
            raise StoreError(f"unknown field; allowed: {', '.join(FIELDS)}", field=_where(str(key)),
                             zh=f"未知字段；可用字段：{'、'.join(FIELDS)}")
    device = case.get("device") or {}
    fault = case.get("fault") or {}
    component = fault.get("component")
    out: dict[str, Any] = {
        "courier": _text(data, "courier", required=True),
        "product": _text(data, "product", default=product_words(case.get("brand"), device.get("model"), brand_name)),
        "model_config": _text(data, "model_config", default=device.get("model")),
        "serial": _text(data, "serial", default=device.get("serial") or device.get("imei")),
        "fault": _text(data, "fault", default=fault.get("description")
                       or (vocab.label("component", component) if component else None)),
        "original_packaging": _flag(data, "original_packaging", required=True),
        "express": _flag(data, "express"),
        "insurance": _flag(data, "insurance"),
    }
    acc = data.get("accessories") or []
    if isinstance(acc, str):
        acc = [a.strip() for a in re.split(r"[,,、;;]", acc) if a.strip()]
    if not isinstance(acc, (list, tuple)) or not all(isinstance(a, str) for a in acc):
        raise StoreError("must be a list of accessories (text)", field=_where("accessories"),
                         zh="应为随机附件清单（文字）")
    out["accessories"] = list(acc)

    if not _flag(data, "data_backup_acknowledged", required=True):
        raise StoreError("the customer must acknowledge that repair may erase the data (协议书第1条) "
                         "and back it up first", field=_where("data_backup_acknowledged"),
                         zh="客户须确认已知维修可能清除数据并先行备份（协议书第1条）")
    out["data_backup_acknowledged"] = True

    return_by = _text(data, "return_by", required=True)
    if return_by not in RETURN_BY:
        raise StoreError(f"{return_by!r}: one of post (寄回), pickup (自取)", field=_where("return_by"), zh=f"{return_by!r}：应为 post（寄回）或 pickup（自取）")
    out["return_by"] = return_by
    if return_by == "pickup":
        out["pickup_note"] = _text(data, "pickup_note")
        for key in ("transport", "carrier", "return_address", "return_postcode", "return_phone"):
            if data.get(key):
                out[key] = _text(data, key)
    else:
        transport = _text(data, "transport", required=True)
        if transport not in TRANSPORT:
            raise StoreError(f"{transport!r}: one of air (航空), rail (铁路), road (公路)", field=_where("transport"), zh=f"{transport!r}：应为 air（航空）、rail（铁路）或 road（公路）")
        out["transport"] = transport
        out["carrier"] = _text(data, "carrier", required=True)
        out["return_address"] = _text(data, "return_address", required=True)
        postcode = _text(data, "return_postcode", required=True)
        if not _POSTCODE.match(postcode):
            raise StoreError(f"{postcode!r} is not a postcode (6 digits)", field=_where("return_postcode"), zh=f"{postcode!r} 不是邮政编码（应为 6 位数字）")
        out["return_postcode"] = postcode
        out["return_phone"] = normalize_phone(_text(data, "return_phone", required=True), field=_where("return_phone"))

    if out["insurance"]:
        raw = data.get("insurance_amount")
        try:
            amount = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            raise StoreError(f"{raw!r} is not an amount in yuan", field=_where("insurance_amount"),
                             zh=f"{raw!r} 不是金额（元）") from None
        if raw is None or isinstance(raw, bool) or not amount.is_finite() or amount <= 0:
            raise StoreError("required with insurance: an amount in yuan above 0", field=_where("insurance_amount"),
                             zh="购买保险时必填：大于 0 的保险金额（元）")
        out["insurance_amount"] = str(amount.quantize(Decimal("0.01")))
    elif data.get("insurance_amount") not in (None, "", 0):
        raise StoreError("an insurance amount without insurance: set insurance: true", field=_where("insurance_amount"),
                         zh="未购买保险却填了保险金额：请设 insurance: true")
    return out
