"""Demo and benchmark data: a realistic county, or a province of about 180 counties.

* :func:`build_county` grows 临朐县 (370724) around the named personas to about 120 agencies —
  departments with their schools, hospitals and 站/所/中心, thirteen townships, and the finance
  sections that look after them — entirely through the services, so the demo data obeys the same
  rules and leaves the same audit trail as data typed in by hand. The other seed county comes from
  the personas as it is. Demo logins are exactly the test personas (``jixiao.org.personas``).
* :func:`build_province` adds synthetic counties in bulk for benchmarks (see its docstring).

Both are deterministic for a seed: every random choice comes from one ``random.Random(seed)``.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from jixiao.core import audit
from jixiao.core import config as region_config
from jixiao.core.actors import SYSTEM
from jixiao.core.choices import ChangeAction
from jixiao.core.models import RegionConfig
from jixiao.core.services import seed_region_config
from jixiao.org import personas, services
from jixiao.org.choices import AgencyKind, RegionLevel
from jixiao.org.data import county as data
from jixiao.org.models import Agency, FinanceSection, Region, Sector, User

HOME_NAME, HOME_SHORT, HOME_CITY = "临朐县", "临朐", "潍坊市"
PROVINCE_COUNTIES = 180


@dataclass(frozen=True)
class Township:
    name: str  # 五井镇
    short: str  # 五井
    agency_name: str  # template, e.g. "{c}五井镇人民政府"

    @property
    def is_town(self) -> bool:
        """A real 街道/镇/乡 (schools and health centres are named after these), not a 风景区 or 开发区."""
        return self.name.endswith(("街道", "镇", "乡"))

    @property
    def is_rural(self) -> bool:
        return self.name.endswith(("镇", "乡"))


@dataclass(frozen=True)
class AgencyRow:
    code: str
    name: str
    kind: str
    parent: str | None
    sector: str


@dataclass(frozen=True)
class SectionRow:
    code: str
    name: str
    kind: str
    agencies: tuple[str, ...]


@dataclass
class CountyPlan:
    agencies: list[AgencyRow] = field(default_factory=list)
    sections: list[SectionRow] = field(default_factory=list)


HOME_TOWNSHIPS = [Township(*t) for t in data.HOME_TOWNSHIPS]


def plan_county(rng: random.Random, *, name: str, short: str, city: str, townships: list[Township]) -> CountyPlan:
    """Which agencies and sections a county has. Pure: no database, so the same seed can be checked
    to give the same county, and the province builder can plan thousands of rows before one insert.

    Every fixed unit is kept; of the optional units the generator keeps a random 22–30 (of 37), which
    puts a county with thirteen townships at 116–124 agencies."""
    optional = [(d[0], i) for d in data.DEPARTMENTS for i, u in enumerate(d[3]) if u[2]]
    kept = set(rng.sample(optional, rng.randint(22, 30)))
    towns = [t for t in townships if t.is_town]
    rural = [t for t in townships if t.is_rural] or towns
    fmt = {"c": name, "s": short, "city": city}
    plan = CountyPlan()
    for code, dept_name, sector, units in data.DEPARTMENTS:
        plan.agencies.append(AgencyRow(code, dept_name.format(**fmt), AgencyKind.DEPARTMENT, None, sector))
        town_i = rural_i = 0
        number = 0
        for i, (unit_name, unit_sector, is_optional) in enumerate(units):
            if is_optional and (code, i) not in kept:
                continue
            town = towns[town_i % len(towns)]
            rural_town = rural[rural_i % len(rural)]
            if "{town}" in unit_name:
                town_i += 1
            if "{town_s}" in unit_name:
                rural_i += 1
            number += 1
            plan.agencies.append(AgencyRow(
                f"{code}{number:03d}", unit_name.format(**fmt, town=town.name, town_s=rural_town.short),
                AgencyKind.UNIT, code, unit_sector or sector,
            ))
    township_codes = []
    for i, township in enumerate(townships, start=1):
        code = f"{900 + i}"
        township_codes.append(code)
        plan.agencies.append(AgencyRow(code, township.agency_name.format(**fmt), AgencyKind.TOWNSHIP, None,
                                       data.TOWNSHIP_SECTOR))
    for code, section_name, kind, looked_after in data.SECTIONS:
        codes: list[str] = []
        for c in looked_after:
            codes.extend(township_codes if c == "townships" else [c])
        plan.sections.append(SectionRow(code, section_name, kind, tuple(codes)))
    return plan


def plan_home(seed: int) -> CountyPlan:
    return plan_county(random.Random(seed), name=HOME_NAME, short=HOME_SHORT, city=HOME_CITY,
                       townships=HOME_TOWNSHIPS)


# --- county scale: through the services ------------------------------------------------------------


def database_has_regions() -> bool:
    return Region.objects.exists()


def extend_county(*, world, seed: int, year: int) -> dict:
    """Let every later app add its demo records to the county: an installed app with a ``demo``
    module that defines ``extend_county(world=, seed=, year=) -> dict`` is called in INSTALLED_APPS
    order (apps depend downward, so a project exists before its targets). Org does not import them:
    the dependency stays one-way. Each returns counts for the JSON summary."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    summary: dict = {}
    for app in apps.get_app_configs():
        if app.name == __package__ or not app.name.startswith("jixiao.") or find_spec(f"{app.name}.demo") is None:
            continue
        step = getattr(import_module(f"{app.name}.demo"), "extend_county", None)
        if step is not None:
            summary.update(step(world=world, seed=seed, year=year) or {})
    return summary


def build_county(*, seed: int, year: int | None = None) -> dict:
    """The persona world plus 临朐县 at full size, through the services. Idempotent: rows that exist
    (by region and code, or username) are kept, so running it twice adds nothing."""
    started = time.perf_counter()
    year = year or timezone.localdate().year
    plan = plan_home(seed)
    persona_rows = {code: name for region, code, name, *_ in personas.AGENCIES if region == personas.HOME}
    planned = {row.code: row.name for row in plan.agencies}
    mismatched = {c: (n, planned.get(c)) for c, n in persona_rows.items() if planned.get(c) != n}
    if mismatched:
        # The demo county is built around the personas; if the two tables drift apart the demo
        # logins would sit in agencies the rest of the county does not know about.
        raise RuntimeError(f"persona agencies do not match the county table: {mismatched}")
    extra = [(personas.HOME, r.code, r.name, r.kind, r.parent, r.sector)
             for r in plan.agencies if r.code not in persona_rows]
    with transaction.atomic():
        world = personas.build_world(year=year, extra_agencies=extra)
        for region in world.regions.values():
            seed_region_config(actor=SYSTEM, region=region, year=year)
        home = world.regions[personas.HOME]
        # Widening the personas' sections is an edit of existing rows, which the services allow only
        # to an organisation editor; the demo's system administrator does it, and the change log says so.
        editor = world.user("sysadmin")
        for row in plan.sections:
            agencies = [world.agency(code) for code in row.agencies]
            section = FinanceSection.objects.filter(region=home, code=row.code).first()
            if section is None:
                services.create_section(actor=SYSTEM, region=home, code=row.code, name=row.name, kind=row.kind,
                                        agencies=agencies)
            elif set(section.agencies.values_list("pk", flat=True)) != {a.pk for a in agencies}:
                services.update_section(actor=editor, section=section, version=section.version, agencies=agencies)
        extended = extend_county(world=world, seed=seed, year=year)
    return {
        **extended,
        "scale": "county",
        "seed": seed,
        "year": year,
        "regions": Region.objects.count(),
        "agencies": Agency.objects.count(),
        "home_agencies": Agency.objects.filter(region=home).count(),
        "townships": Agency.objects.filter(region=home, kind=AgencyKind.TOWNSHIP).count(),
        "sections": FinanceSection.objects.count(),
        "users": User.objects.count(),
        "seconds": round(time.perf_counter() - started, 2),
    }


# --- province scale: set-based ---------------------------------------------------------------------


def _synthetic_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = rng.choice(data.NAME_FIRST) + rng.choice(data.NAME_SECOND)
        if name not in taken:
            taken.add(name)
            return name


def _synthetic_townships(rng: random.Random) -> list[Township]:
    taken: set[str] = set()
    kinds = list(data.TOWN_KINDS)
    count = rng.randint(10, len(kinds))
    out = []
    for kind in kinds[:count]:
        short = _synthetic_name(rng, taken)
        suffix = "办事处" if kind == "街道" else "人民政府"
        out.append(Township(short + kind, short, "{c}" + short + kind + suffix))
    return out


def _county_codes(count: int, taken: set[str]) -> list[tuple[str, str]]:
    """(city prefix, county code) pairs spread over the cities, numbered as GB/T 2260 numbers
    counties (21, 22 …), skipping codes already in use."""
    out: list[tuple[str, str]] = []
    number = {prefix: 20 for prefix, _ in data.CITIES}
    while len(out) < count:
        for prefix, _ in data.CITIES:
            if len(out) == count:
                break
            while True:
                number[prefix] += 1
                if number[prefix] > 99:
                    raise ValueError("too many counties for the city code space")
                code = f"{prefix}{number[prefix]:02d}"
                if code not in taken:
                    taken.add(code)
                    out.append((prefix, code))
                    break
    return out


def build_province(*, seed: int, year: int | None = None, counties: int = PROVINCE_COUNTIES) -> dict:
    """The county demo (through the services, so the persona logins work) plus ``counties`` synthetic
    counties under Shandong's cities, each with about 120 agencies and seven finance sections.

    This is benchmark data, so it is set-based: every table is filled with ``bulk_create`` in a few
    statements, agency paths are computed by two ``UPDATE … SET path = parent.path || id || '/'``
    statements (one per tree level), and the section–agency links go in as one bulk insert of the
    through table. Calling a service per row would take ~25,000 audited transactions.

    Audit choice: one change-log entry per region created (action create, the region's fields plus
    the counts of agencies, sections and configuration records created with it), not one per
    agency. The change log is a single hash chain, so every entry is a serialised append; one entry
    per region keeps the chain honest about what happened ("this county and its 120 agencies were
    generated at this time, by the command line") at 1/120 of the cost, and ``verify_audit`` still
    checks it. Rows created this way carry no per-row history until someone edits them — which is
    right for generated data that no person typed."""
    started = time.perf_counter()
    summary = build_county(seed=seed, year=year)
    year = summary["year"]
    county_seconds = summary["seconds"]
    rng = random.Random(f"province-{seed}")
    sectors = dict(Sector.objects.values_list("code", "pk"))
    configs = {key: region_config.to_json(region_config.default_value(key, year)) for key in region_config.SPECS}
    bulk_started = time.perf_counter()
    with transaction.atomic():
        province = Region.objects.get(code=personas.PROVINCE)
        existing = dict(Region.objects.values_list("code", "pk"))
        cities = []
        for prefix, name in data.CITIES:
            if f"{prefix}00" not in existing:
                cities.append(Region(code=f"{prefix}00", name=name, level=RegionLevel.CITY, parent=province))
        Region.objects.bulk_create(cities)
        for city in cities:
            city.path = services.region_path(city)
        Region.objects.bulk_update(cities, ["path"])
        city_by_prefix = {r.code[:4]: r for r in Region.objects.filter(level=RegionLevel.CITY, code__startswith="37")}
        city_names = dict(data.CITIES)

        taken_names = set(Region.objects.values_list("name", flat=True))
        codes = _county_codes(counties, set(existing) | {r.code for r in cities})
        new_counties = []
        county_info = {}
        for prefix, code in codes:
            short = _synthetic_name(rng, {n[:-1] for n in taken_names})
            name = short + "县"
            taken_names.add(name)
            new_counties.append(Region(code=code, name=name, level=RegionLevel.COUNTY, parent=city_by_prefix[prefix]))
            county_info[code] = (name, short, city_names[prefix])
        Region.objects.bulk_create(new_counties)
        for county in new_counties:
            county.path = services.region_path(county)
        Region.objects.bulk_update(new_counties, ["path"], batch_size=500)
        new_regions = [*cities, *new_counties]

        RegionConfig.objects.bulk_create(
            [RegionConfig(region=r, year=year, key=key, value=value) for r in new_regions for key, value in configs.items()],
            batch_size=2000,
        )

        plans = {}
        for region in new_counties:
            name, short, city = county_info[region.code]
            plans[region.pk] = plan_county(rng, name=name, short=short, city=city,
                                           townships=_synthetic_townships(rng))
        top = [Agency(region_id=rid, code=a.code, name=a.name, kind=a.kind, sector_id=sectors.get(a.sector))
               for rid, plan in plans.items() for a in plan.agencies if a.parent is None]
        Agency.objects.bulk_create(top, batch_size=2000)
        top_pk = {(a.region_id, a.code): a.pk for a in top}
        units = [Agency(region_id=rid, code=a.code, name=a.name, kind=a.kind, parent_id=top_pk[(rid, a.parent)],
                        sector_id=sectors.get(a.sector))
                 for rid, plan in plans.items() for a in plan.agencies if a.parent is not None]
        Agency.objects.bulk_create(units, batch_size=2000)
        region_ids = list(plans)
        in_new = Agency.objects.filter(region_id__in=region_ids)
        id_text = Cast("pk", output_field=CharField())
        in_new.filter(parent__isnull=True).update(path=Concat(Value("/"), id_text, Value("/")))
        parent_path = Subquery(Agency.objects.filter(pk=OuterRef("parent_id")).values("path")[:1])
        in_new.filter(parent__isnull=False).update(path=Concat(parent_path, id_text, Value("/"),
                                                               output_field=CharField()))

        sections = [FinanceSection(region_id=rid, code=s.code, name=s.name, kind=s.kind)
                    for rid, plan in plans.items() for s in plan.sections]
        FinanceSection.objects.bulk_create(sections, batch_size=2000)
        Through = FinanceSection.agencies.through
        links = [Through(financesection_id=section.pk, agency_id=top_pk[(section.region_id, code)])
                 for section, row in zip(sections, (s for plan in plans.values() for s in plan.sections), strict=True)
                 for code in row.agencies]
        Through.objects.bulk_create(links, batch_size=5000)

        per_region = {rid: {"agencies": len(plan.agencies), "sections": len(plan.sections)}
                      for rid, plan in plans.items()}
        for region in new_regions:
            counts = per_region.get(region.pk, {"agencies": 0, "sections": 0})
            after = {**audit.snapshot(region),
                     "bulk_created": {**counts, "region_configs": len(configs), "seed": seed, "year": year}}
            audit.record_change(actor=SYSTEM, obj=region, action=ChangeAction.CREATE, after=after)
    bulk_seconds = time.perf_counter() - bulk_started
    return {
        "scale": "province",
        "seed": seed,
        "year": year,
        "counties_created": len(new_counties),
        "cities_created": len(cities),
        "agencies_created": len(top) + len(units),
        "sections_created": len(sections),
        "section_links_created": len(links),
        "region_configs_created": len(new_regions) * len(configs),
        "regions": Region.objects.count(),
        "agencies": Agency.objects.count(),
        "sections": FinanceSection.objects.count(),
        "users": User.objects.count(),
        "county_seconds": county_seconds,
        "bulk_seconds": round(bulk_seconds, 2),
        "seconds": round(time.perf_counter() - started, 2),
    }
