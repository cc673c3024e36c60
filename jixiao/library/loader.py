"""Load the national library data (taxonomies, frameworks, templates) from the data modules.

Used by the data migration (with the historical models) and by ``manage.py load_library`` (with
the current ones). Idempotent: rows that exist — by taxonomy pair, framework code, or a national
template's natural key (name + level 1 + level 2 + sector) — are left alone, so running it again
adds only what a newer data module brings. Set-based: one query per table to read what exists and
one ``bulk_create`` per table to add the rest.

Reference data like the sector list (org's 0002 migration): loaded without change-log rows, since
it is the same in every installation and lives in the repository's history.
"""

from __future__ import annotations

from decimal import Decimal


def _models(apps):
    if apps is None:
        from django.apps import apps as registry

        apps = registry
    return {name: apps.get_model(label, name) for label, name in (
        ("library", "TaxonomyEntry"), ("library", "Framework"), ("library", "FrameworkItem"),
        ("library", "IndicatorTemplate"), ("org", "Sector"))}


def load_national(apps=None) -> dict[str, int]:
    from jixiao.library.choices import OPERATOR_ALIASES
    from jixiao.library.data import frameworks, taxonomy, templates

    m = _models(apps)
    counts = {"taxonomy": 0, "frameworks": 0, "templates": 0}

    Entry = m["TaxonomyEntry"]
    have = set(Entry.objects.values_list("taxonomy", "level1", "level2"))
    new = [Entry(taxonomy=v, level1=l1, level2=l2, position=p) for v, l1, l2, p in taxonomy.rows()
           if (v, l1, l2) not in have]
    Entry.objects.bulk_create(new)
    counts["taxonomy"] = len(new)

    Framework, Item = m["Framework"], m["FrameworkItem"]
    have = set(Framework.objects.values_list("code", flat=True))
    for position, spec in enumerate(frameworks.FRAMEWORKS, start=1):
        if spec["code"] in have:
            continue
        fw = Framework.objects.create(code=spec["code"], name=spec["name"], object_kind=spec["object_kind"],
                                      source=spec["source"], note=spec.get("note", ""), position=position)
        counter = [0]

        def add(items, parent, level, fw=fw, counter=counter):
            for name, points, *children in items:
                counter[0] += 1
                item = Item.objects.create(framework=fw, parent=parent, level=level, name=name,
                                           points=Decimal(str(points)) if points is not None else None,
                                           position=counter[0])
                if children:
                    add(children[0], item, level + 1)

        add(spec["items"], None, 1)
        counts["frameworks"] += 1

    Template, Sector = m["IndicatorTemplate"], m["Sector"]
    sectors = {s.code: s for s in Sector.objects.all()}
    have = {(n, l1, l2, s) for n, l1, l2, s in Template.objects.filter(region__isnull=True)
            .values_list("name", "level1", "level2", "sector__code")}
    new = []
    for row in templates.rows():
        if (row["name"], row["level1"], row["level2"], row["sector"]) in have:
            continue
        sector = sectors.get(row["sector"]) if row["sector"] else None
        if row["sector"] and sector is None:
            raise ValueError(f"template {row['name']}: unknown sector {row['sector']}")
        new.append(Template(**{**row, "sector": sector, "operator": OPERATOR_ALIASES[row["operator"]].value,
                               "source_note": "全国通用模板"}))
    Template.objects.bulk_create(new)
    counts["templates"] = len(new)
    return counts
