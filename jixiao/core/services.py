"""The service-function convention (house style 1).

Every write is a function decorated with :func:`service`: keyword-only arguments, an explicit
``actor``, one transaction, audit rows written inside it. Views, API handlers, imports, commands
and the demo builder all call services; nothing else calls ``.save()`` on domain models.
"""

from __future__ import annotations

import functools
import inspect

from django.db import transaction

from jixiao.core.actors import require_actor


def service(fn):
    sig = inspect.signature(fn)
    params = list(sig.parameters.values())
    if not params or any(p.kind not in (p.KEYWORD_ONLY, p.VAR_KEYWORD) for p in params):
        raise TypeError(f"service {fn.__qualname__} must take keyword-only arguments")
    if "actor" not in sig.parameters:
        raise TypeError(f"service {fn.__qualname__} must take an explicit actor")

    where = f"{fn.__module__.removeprefix('jixiao.')}.{fn.__qualname__}"

    @functools.wraps(fn)
    def wrapper(**kwargs):
        require_actor(kwargs.get("actor"), where)  # a person or SYSTEM: a forgotten actor fails here
        with transaction.atomic():
            return fn(**kwargs)

    wrapper.is_service = True
    return wrapper


# --- region configuration -------------------------------------------------------------------

from jixiao.core import audit  # noqa: E402
from jixiao.core import config as region_config  # noqa: E402
from jixiao.core.concurrency import bump, lock_checked  # noqa: E402
from jixiao.core.errors import ValidationFailed  # noqa: E402


@service
def seed_region_config(*, actor, region, year: int):
    """Write the national defaults for every configuration key a region lacks for ``year``
    (copying the latest earlier year's value where there is one, so a county's choices carry over)."""
    from jixiao.core.models import RegionConfig
    from jixiao.core.scoping import assert_in_scope

    existing = set(RegionConfig.objects.filter(region=region, year=year).values_list("key", flat=True))
    created = []
    for key in region_config.SPECS:
        if key in existing:
            continue
        value = region_config.get(region, year, key)
        row = RegionConfig.objects.create(region=region, year=year, key=key, value=region_config.to_json(value))
        assert_in_scope(row, actor, "change")  # SYSTEM: installation and demo data from the command line
        audit.log_create(actor=actor, obj=row)
        created.append(row)
    return created


@service
def update_region_config(*, actor, config, raw, version):
    """Replace one configuration record after validating it against its spec. Audited field by field
    in the change log; a stale version is refused."""
    from jixiao.core.models import RegionConfig
    from jixiao.core.scoping import assert_in_scope

    row = lock_checked(RegionConfig, config.pk, version)
    assert_in_scope(row, actor, "change")
    value, errors = region_config.spec(row.key).parse(raw)
    if errors:
        raise ValidationFailed({"value": errors})
    before = audit.snapshot(row)
    row.value = region_config.to_json(value)
    bump(row)
    row.save()
    audit.log_update(actor=actor, obj=row, before=before)
    return row


@service
def save_region_config(*, actor, region, year: int, key: str, raw, version=None):
    """Set one configuration record of a region and year: create the year's record with ``raw``
    (validated against its spec) when the year has none yet — the earlier years' records and the
    national default are left as they are — else replace it as :func:`update_region_config` (with the
    ``version`` the form showed). For pages that set one key (the import's column mapping)."""
    from jixiao.core.models import RegionConfig
    from jixiao.core.scoping import assert_in_scope

    region_config.spec(key)
    row = RegionConfig.objects.filter(region=region, year=year, key=key).first()
    if row is not None:
        return update_region_config(actor=actor, config=row, raw=raw, version=version)
    value, errors = region_config.spec(key).parse(raw)
    if errors:
        raise ValidationFailed({"value": errors})
    row = RegionConfig.objects.create(region=region, year=year, key=key, value=region_config.to_json(value))
    assert_in_scope(row, actor, "change")
    audit.log_create(actor=actor, obj=row)
    return row
