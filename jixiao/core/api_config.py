"""区划年度配置 over the API: every configuration record of a region and year (the typed records of
``core.config``, domain-rules: thresholds, weights, bands, outcome lists, review chains, the
taxonomy), read by whoever reads the 区划年度配置 page (``RegionConfig``'s ``view`` roles) and changed by
the performance section (``change``) with the version in ``If-Match``, like every API write."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from ninja import Field, Router, Schema

from jixiao.apiauth import allowed
from jixiao.core import config as region_config
from jixiao.core.apikit import READ_ERRORS, UPDATE_ERRORS, if_match, with_etag
from jixiao.core.models import RegionConfig
from jixiao.core.scoping import get_for_user
from jixiao.core.services import update_region_config
from jixiao.core.years import year_param

router = Router(tags=["区划年度配置"])


class FieldOut(Schema):
    name: str
    label: str
    kind: str = Field(description="str | decimal | int | bool | choice")
    required: bool
    choices: list[list[str]] = Field(description="choice 字段的 [代码, 名称]")


class ConfigOut(Schema):
    id: int | None = Field(description="本年度记录的 id；尚未建立时为空（使用上一年度或国家默认值）")
    key: str
    label: str
    help: str
    source: str = Field(description="依据文件")
    region: int
    year: int
    shape: str = Field(description="object：一组字段；rows：若干行，每行相同字段")
    fields: list[FieldOut]
    value: Any = Field(description="现行值（小数以字符串表示）")
    stored: bool = Field(description="本年度是否已建立记录")
    version: int | None = Field(description="记录版本号（修改时放在 If-Match 中）")


class ConfigIn(Schema):
    value: Any = Field(None, description="新值：与读取所得 value 的结构相同（object 为对象，rows 为数组）")


def _out(spec, region_id: int, year: int, row: RegionConfig | None) -> dict:
    value = region_config.from_json(spec.key, row.value) if row is not None else region_config.get(
        region_id, year, spec.key)
    return {
        "id": row.pk if row is not None else None, "key": spec.key, "label": spec.label, "help": spec.help,
        "source": spec.source, "region": region_id, "year": year, "shape": spec.shape,
        "fields": [{"name": f.name, "label": f.label, "kind": f.kind, "required": f.required,
                    "choices": [list(c) for c in f.choices]} for f in spec.fields],
        "value": region_config.to_json(value), "stored": row is not None,
        "version": row.version if row is not None else None,
    }


def _row_out(row: RegionConfig) -> dict:
    return _out(region_config.spec(row.key), row.region_id, row.year, row)


@router.get("", auth=allowed(RegionConfig, "view"), response={200: list[ConfigOut], **READ_ERRORS},
            summary="本区划年度配置（全部项目）")
def config_list(request, year: int | None = None):
    """Every configuration key for the caller's region and ``year`` (default: this year): the year's
    record where it exists, else the value in force (the latest earlier year's, or the national default)."""
    year = year_param(request, value=year)
    region_id = request.user.region_id
    rows = {r.key: r for r in RegionConfig.objects.for_user(request.user, "view").filter(region_id=region_id,
                                                                                        year=year)}
    return [_out(spec, region_id, year, rows.get(key)) for key, spec in region_config.SPECS.items()]


@router.get("/{int:id}", auth=allowed(RegionConfig, "view"), response={200: ConfigOut, **READ_ERRORS},
            summary="配置记录详情")
def config_detail(request, id: int, response: HttpResponse):
    row = get_for_user(RegionConfig, request.user, "view", pk=id)
    with_etag(response, row)
    return _row_out(row)


@router.put("/{int:id}", auth=allowed(RegionConfig, "change"), response={200: ConfigOut, **UPDATE_ERRORS},
            summary="修改配置记录")
def config_update(request, id: int, payload: ConfigIn, response: HttpResponse):
    """Replace the record's value (validated against its spec; Chinese errors on ``value``), with the
    record's version in ``If-Match``; audited in the change log like the page's edit."""
    row = get_for_user(RegionConfig, request.user, "change", pk=id)
    row = update_region_config(actor=request.user, config=row, raw=payload.value, version=if_match(request))
    with_etag(response, row)
    return _row_out(row)
