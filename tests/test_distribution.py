"""Every region-owned table can later be distributed by region (issue #12; Citus-style: a distributed
table's rows are placed by one column, and every unique constraint must include that column, since
uniqueness is only checked within one shard).

Each model of our apps is either *region-owned* — it carries the region key itself (a ``region``
foreign key to org.Region: a concrete ``region_id`` column, not a join to it) and its scope rule reads
it there (``region="region"``) — or is listed in ``NOT_REGION_OWNED`` with the reason. Each unique
constraint and unique field of a region-owned model includes ``region``, except those listed in
``UNIQUE_EXCEPTIONS`` with the reason. A new model or a new unique key must be classified here."""

from __future__ import annotations

from django.apps import apps
from django.db import models

#: model label → why it carries no region key of its own.
NOT_REGION_OWNED = {
    "org.Region": "the region table itself: the key (pk) every other table refers to; a reference table "
                  "(replicated to every node), a few hundred rows per province",
    "org.Sector": "national reference data (行业领域), the same for every region: a reference table",
    "org.PasswordHistory": "belongs to a user (users are installation-wide); read only through its user",
    "org.ApiToken": "belongs to a user (users are installation-wide, see UNIQUE_EXCEPTIONS); looked up by its "
                    "hash on every API request before any region is known",
    "library.TaxonomyEntry": "the national indicator taxonomy (loaded by a migration): reference data",
    "library.Framework": "national evaluation frameworks: reference data",
    "library.FrameworkItem": "items of a national framework: reference data",
    "core.AuditChainHead": "the head of the one serialised audit hash chain (per installation, not per region): "
                           "a chain split by region would not be one chain",
    "core.ReviewEvent": "a Review's history, reached only through its review (review_id, written only by "
                        "core.review); the one region-owned history without the key: it gets its own region_id "
                        "before the tables are distributed (co-location with Review needs it)",
}

#: (model label, the unique fields) → why the key does not include the region.
UNIQUE_EXCEPTIONS = {
    ("core.ChangeLog", ("seq",)): "the change log is one hash chain per installation (等保 2.0 audit): seq "
                                  "numbers every entry of every region in one order",
    ("core.SecurityEvent", ("seq",)): "the security events are one hash chain per installation, as the change log",
    ("org.User", ("username",)): "a login name is unique in the installation (a user signs in without choosing "
                                 "a region; issue #11): users stay a reference table",
    ("pools.Firm", ("user",)): "one-to-one with the installation-wide user table (the firm's login)",
    ("pools.Expert", ("user",)): "one-to-one with the installation-wide user table (the expert's login)",
    ("pools.DrawnExpert", ("replaced_by",)): "one-to-one link to the replacement row of the same draw (same "
                                             "region, so unique per region too); becomes (region, replaced_by) "
                                             "with the distribution",
    ("targets.TargetSheet", ("previous",)): "one-to-one link to the previous version of the same sheet (same "
                                            "region); becomes (region, previous) with the distribution",
}


def _ours():
    return [m for m in apps.get_models() if m.__module__.startswith("jixiao.")]


def _unique_keys(model) -> list[tuple[str, ...]]:
    keys = [(f.name,) for f in model._meta.concrete_fields if f.unique and not f.primary_key]
    keys += [tuple(c.fields) for c in model._meta.constraints if isinstance(c, models.UniqueConstraint)]
    keys += [tuple(u) for u in model._meta.unique_together]
    return keys


def _region_owned(model) -> bool:
    return model._meta.label not in NOT_REGION_OWNED


def test_every_model_is_classified_and_region_owned_ones_carry_the_key():
    problems = []
    for model in _ours():
        label = model._meta.label
        if not _region_owned(model):
            continue
        try:
            field = model._meta.get_field("region")
        except Exception:
            problems.append(f"{label}: no region column (add one, or list it in NOT_REGION_OWNED with the reason)")
            continue
        if not (field.concrete and field.many_to_one and field.related_model._meta.label == "org.Region"):
            problems.append(f"{label}: region is not a foreign key column to org.Region")
        rule = getattr(model, "scope", None)
        if rule is not None and rule.region != "region":
            problems.append(f"{label}: its scope rule reaches the region through {rule.region!r}, not its own column")
    assert not problems, "\n".join(problems)


def test_unique_keys_of_region_owned_models_include_the_region():
    problems = []
    for model in filter(_region_owned, _ours()):
        for key in _unique_keys(model):
            if "region" not in key and (model._meta.label, key) not in UNIQUE_EXCEPTIONS:
                problems.append(f"{model._meta.label}: unique {key} lacks region")
    assert not problems, "\n".join(problems)


def test_the_lists_name_real_models_and_keys():
    """A stale exception (a model or key that no longer exists, or now includes the region) is removed."""
    labels = {m._meta.label for m in _ours()}
    assert set(NOT_REGION_OWNED) <= labels, set(NOT_REGION_OWNED) - labels
    for label, key in UNIQUE_EXCEPTIONS:
        assert key in _unique_keys(apps.get_model(label)), (label, key)
    assert all(reason.strip() for reason in [*NOT_REGION_OWNED.values(), *UNIQUE_EXCEPTIONS.values()])
