"""Region configuration: typed specs with national defaults, Chinese validation messages, the
year fallback, seeding a new year, and the edit page (perf_section only, versioned, audited)."""

import copy
from decimal import Decimal

import pytest

from jixiao.core import config
from jixiao.core.actors import SYSTEM
from jixiao.core.errors import StaleVersion, ValidationFailed
from jixiao.core.models import ChangeLog, RegionConfig
from jixiao.core.services import seed_region_config, update_region_config

YEAR = 2026
HOME = "370724"


# --- specs ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", list(config.SPECS))
def test_every_default_round_trips_through_json(key):
    default = config.default_value(key)
    stored = config.to_json(default)
    assert config.from_json(key, stored) == default
    # decimals are stored as strings, never floats
    assert "float" not in repr(stored)
    value, errors = config.spec(key).parse(stored)
    assert errors == []


def test_defaults_match_the_domain_rules():
    assert [r["min_score"] for r in config.default_value("rating_bands")] == [90, 80, 60, 0]
    w = config.default_value("self_evaluation_weights")
    assert w["execution"] + w["output"] + w["benefit"] + w["satisfaction"] + w["cost"] == 100
    assert config.default_value("deviation") == {"threshold": Decimal("0.20")}


def _errors(key, raw):
    _, errors = config.spec(key).parse(raw)
    return errors


def test_rating_bands_must_descend():
    bands = config.to_json(config.default_value("rating_bands"))
    bands[1], bands[2] = bands[2], bands[1]
    assert "评价等级应按下限从高到低排列" in _errors("rating_bands", bands)


def test_rating_bands_need_a_zero_floor_and_unique_codes():
    bands = config.to_json(config.default_value("rating_bands"))
    bands[-1]["min_score"] = "10"
    assert "最低一档的下限应为 0，使每个分数都有等级" in _errors("rating_bands", bands)
    bands = config.to_json(config.default_value("rating_bands"))
    bands[1]["code"] = "excellent"
    assert "标准等级不能重复" in _errors("rating_bands", bands)


def test_weights_must_sum_to_100():
    w = config.to_json(config.default_value("self_evaluation_weights"))
    w["output"] = "40"
    assert _errors("self_evaluation_weights", w) == ["自评分值合计应为 100，现为 90"]


def test_bad_number_is_named_in_chinese():
    assert _errors("deviation", {"threshold": "两成"}) == ["“偏差阈值（比例）”应为数字，收到“两成”"]
    assert _errors("deviation", {"threshold": "NaN"}) == ["“偏差阈值（比例）”应为数字，收到“NaN”"]
    assert _errors("deviation", {"threshold": "1.5"}) == ["“偏差阈值（比例）”不能大于 1"]
    assert _errors("deviation", {"threshold": "-0.1"}) == ["“偏差阈值（比例）”不能小于 0"]
    assert _errors("deviation", {"threshold": ""}) == ["“偏差阈值（比例）”不能为空"]


def test_review_chain_duplicate_position():
    rows = config.to_json(config.default_value("review_chains"))
    rows[1]["position"] = 1
    assert "审核链 target 的第 1 步重复" in _errors("review_chains", rows)


def test_rows_report_the_row_number_and_kind_errors():
    rows = config.to_json(config.default_value("review_chains"))
    rows[2]["position"] = "2.5"
    rows[3]["role"] = "boss"
    errors = _errors("review_chains", rows)
    assert "第 3 行：“顺序”应为整数，收到“2.5”" in errors
    assert any(e.startswith("第 4 行：“审核角色”应为以下之一：单位填报人、") for e in errors)
    assert _errors("review_chains", []) == ["“审核链”至少需要一行"]


def test_monitoring_red_must_not_exceed_yellow():
    v = config.to_json(config.default_value("monitoring_signals"))
    v["budget_red_below"] = "0.9"
    assert _errors("monitoring_signals", v) == ["红灯下限不能高于黄灯下限"]


def test_bool_fields_accept_form_checkbox_values():
    rows = config.to_json(config.default_value("exante_conclusions"))
    rows[0]["enters_library"] = "1"
    rows[1]["enters_library"] = None  # an unchecked checkbox is absent from the form
    value, errors = config.spec("exante_conclusions").parse(rows)
    assert errors == [] and value[0]["enters_library"] is True and value[1]["enters_library"] is False


def test_unknown_key():
    with pytest.raises(config.UnknownConfigKey):
        config.spec("no_such_key")


# --- get / seed -------------------------------------------------------------------------------------

def _row(region, year, key):
    return RegionConfig.objects.get(region=region, year=year, key=key)


def _set(actor, row, raw):
    return update_region_config(actor=actor, config=row, raw=raw, version=row.version)


def test_region_is_seeded_for_the_world_year(world):
    home = world.regions[HOME]
    assert set(RegionConfig.objects.filter(region=home, year=YEAR).values_list("key", flat=True)) == set(config.SPECS)
    assert config.get(home, YEAR, "deviation") == {"threshold": Decimal("0.20")}


def test_get_falls_back_to_an_earlier_year_then_the_national_default(world):
    home, perf = world.regions[HOME], world.user("perf_section")
    _set(perf, _row(home, YEAR, "deviation"), {"threshold": "0.25"})
    assert config.get(home, YEAR, "deviation") == {"threshold": Decimal("0.25")}
    assert config.get(home, YEAR + 4, "deviation") == {"threshold": Decimal("0.25")}
    assert config.get(home, YEAR - 1, "deviation") == {"threshold": Decimal("0.20")}  # national default
    # an older year in between: the latest year not after the one asked for wins
    seed_region_config(actor=perf, region=home, year=2024)
    _set(perf, _row(home, 2024, "deviation"), {"threshold": "0.30"})
    assert config.get(home, 2025, "deviation") == {"threshold": Decimal("0.30")}
    assert config.get(home, YEAR, "deviation") == {"threshold": Decimal("0.25")}
    # another region is unaffected
    assert config.get(world.regions["654022"], YEAR, "deviation") == {"threshold": Decimal("0.20")}
    assert config.get(world.regions["654022"].pk, YEAR, "deviation") == {"threshold": Decimal("0.20")}


def test_seed_copies_the_latest_earlier_year(world):
    home, perf = world.regions[HOME], world.user("perf_section")
    _set(perf, _row(home, YEAR, "deviation"), {"threshold": "0.15"})
    bands = config.to_json(config.default_value("rating_bands"))
    bands[0]["min_score"] = "95"
    _set(perf, _row(home, YEAR, "rating_bands"), bands)
    logged = ChangeLog.objects.count()
    created = seed_region_config(actor=perf, region=home, year=YEAR + 1)
    assert {r.key for r in created} == set(config.SPECS)
    assert _row(home, YEAR + 1, "deviation").value == {"threshold": "0.15"}
    assert config.get(home, YEAR + 1, "rating_bands")[0]["min_score"] == Decimal("95")
    assert ChangeLog.objects.count() == logged + len(config.SPECS)
    # seeding again adds nothing and keeps what is there
    assert seed_region_config(actor=perf, region=home, year=YEAR + 1) == []
    # later edits of the old year do not leak into the seeded one
    _set(perf, _row(home, YEAR, "deviation"), {"threshold": "0.10"})
    assert config.get(home, YEAR + 1, "deviation") == {"threshold": Decimal("0.15")}


def test_taxonomy_defaults_to_the_classic_one_before_2021():
    """财预〔2021〕101号's taxonomy is in force from the 2021 budget year (domain-rules §2)."""
    assert config.default_value("taxonomy", 2020) == {"version": "classic"}
    assert config.default_value("taxonomy", 2019) == {"version": "classic"}
    assert config.default_value("taxonomy", 2021) == {"version": "2021"}
    assert config.default_value("taxonomy", YEAR) == {"version": "2021"}
    # keys whose default never changed ignore the year
    assert config.default_value("deviation", 2019) == config.default_value("deviation")


def test_a_year_before_2021_reads_and_seeds_the_classic_taxonomy(world):
    home, perf = world.regions[HOME], world.user("perf_section")
    assert config.get(home, 2020, "taxonomy") == {"version": "classic"}  # nothing stored that early
    assert config.get(home, YEAR, "taxonomy") == {"version": "2021"}
    seed_region_config(actor=perf, region=home, year=2019)
    assert _row(home, 2019, "taxonomy").value == {"version": "classic"}
    # a region's own choice for an early year wins over the default
    _set(perf, _row(home, 2019, "taxonomy"), {"version": "2021"})
    assert config.get(home, 2020, "taxonomy") == {"version": "2021"}


def test_update_service_validates_checks_scope_and_version(world):
    home, perf = world.regions[HOME], world.user("perf_section")
    row = _row(home, YEAR, "self_evaluation_weights")
    bad = config.to_json(config.default_value("self_evaluation_weights")) | {"benefit": "20"}
    with pytest.raises(ValidationFailed) as exc:
        update_region_config(actor=perf, config=row, raw=bad, version=row.version)
    assert exc.value.errors == {"value": ["自评分值合计应为 100，现为 90"]}
    with pytest.raises(StaleVersion):
        update_region_config(actor=perf, config=row, raw=row.value, version=row.version - 1)
    from django.core.exceptions import PermissionDenied

    for outsider in ("far_perf_section", "section_reviewer"):
        with pytest.raises(PermissionDenied):
            update_region_config(actor=world.user(outsider), config=row, raw=row.value, version=row.version)
    assert _row(home, YEAR, "self_evaluation_weights").version == row.version


# --- the edit page ----------------------------------------------------------------------------------

def test_edit_page_saves_and_logs_the_change(world, login):
    home = world.regions[HOME]
    row = _row(home, YEAR, "deviation")
    client = login("perf_section")
    page = client.get(f"/core/config/{row.pk}/")
    assert page.status_code == 200
    assert 'name="value-threshold" value="0.20"' in page.content.decode()
    r = client.post(f"/core/config/{row.pk}/", {"version": row.version, "value-threshold": "0.25"})
    assert r.status_code == 302 and r["Location"] == f"/core/config/?year={YEAR}"
    after = _row(home, YEAR, "deviation")
    assert after.value == {"threshold": "0.25"} and after.version == row.version + 1
    log = ChangeLog.objects.filter(object_type="core.regionconfig", object_id=str(row.pk)).order_by("-seq").first()
    assert log.action == "update" and log.actor_id == world.user("perf_section").pk
    assert log.changes == {"value": [{"threshold": "0.20"}, {"threshold": "0.25"}]}
    listing = client.get(f"/core/config/?year={YEAR}").content.decode()
    assert "“偏差阈值”已保存" in listing


def test_edit_page_saves_the_taxonomy_version_whose_field_is_called_version(world, login):
    """The 指标体系版本 record's one field is named ``version``, like the form's concurrency field: the
    page namespaces the value inputs, so saving it works (it was refused as a stale edit)."""
    home = world.regions[HOME]
    row = _row(home, YEAR, "taxonomy")
    client = login("perf_section")
    page = client.get(f"/core/config/{row.pk}/").content.decode()
    assert 'name="value-version"' in page and f'name="version" value="{row.version}"' in page
    r = client.post(f"/core/config/{row.pk}/", {"version": row.version, "value-version": "classic"})
    assert r.status_code == 302
    assert config.get(home, YEAR, "taxonomy") == {"version": "classic"}
    assert _row(home, YEAR, "taxonomy").version == row.version + 1


def test_edit_page_saves_rows(world, login):
    home = world.regions[HOME]
    row = _row(home, YEAR, "rating_bands")
    post = {"version": row.version}
    for i, band in enumerate(config.to_json(config.default_value("rating_bands"))):
        for k, v in band.items():
            post[f"row-{i}-{k}"] = v
    post["row-0-min_score"] = "92"
    r = login("perf_section").post(f"/core/config/{row.pk}/", post)
    assert r.status_code == 302
    assert config.get(home, YEAR, "rating_bands")[0]["min_score"] == Decimal("92")


def test_edit_page_shows_validation_errors_in_chinese_and_saves_nothing(world, login):
    row = _row(world.regions[HOME], YEAR, "rating_bands")
    post = {"version": row.version}
    for i, band in enumerate(config.to_json(config.default_value("rating_bands"))):
        for k, v in band.items():
            post[f"row-{i}-{k}"] = v
    post["row-1-min_score"], post["row-2-min_score"] = "60", "80"
    r = login("perf_section").post(f"/core/config/{row.pk}/", post)
    assert r.status_code == 200
    assert "评价等级应按下限从高到低排列" in r.content.decode()
    assert _row(world.regions[HOME], YEAR, "rating_bands").version == row.version


def test_edit_page_refuses_a_stale_version(world, login):
    row = _row(world.regions[HOME], YEAR, "deviation")
    first, second = login("perf_section"), login("perf_section")
    assert first.post(f"/core/config/{row.pk}/", {"version": row.version, "value-threshold": "0.25"}).status_code == 302
    r = second.post(f"/core/config/{row.pk}/", {"version": row.version, "value-threshold": "0.30"})
    assert r.status_code == 200
    body = r.content.decode()
    assert "该记录已被他人修改" in body and "请刷新页面" in body
    assert 'value="0.30"' in body  # what they typed is kept for them to compare
    assert _row(world.regions[HOME], YEAR, "deviation").value == {"threshold": "0.25"}


def test_edit_page_with_a_garbled_version_is_refused_as_stale(world, login):
    row = _row(world.regions[HOME], YEAR, "deviation")
    for version in ("abc", ""):
        r = login("perf_section").post(f"/core/config/{row.pk}/", {"version": version, "value-threshold": "0.25"})
        assert r.status_code == 200
        assert "该记录已被他人修改" in r.content.decode()
    assert _row(world.regions[HOME], YEAR, "deviation").version == row.version


@pytest.mark.parametrize(
    ("username", "list_status", "edit_status"),
    [
        ("preparer", 403, 404),
        ("unit_head", 403, 404),
        ("dept_reviewer", 403, 404),
        ("section_reviewer", 200, 404),
        ("leader", 200, 404),
        ("sysadmin", 200, 404),
        ("secadmin", 403, 404),
        ("auditor", 403, 404),
        ("expert", 403, 404),
        ("far_perf_section", 200, 404),
    ],
)
def test_other_roles_cannot_edit(world, login, username, list_status, edit_status):
    row = _row(world.regions[HOME], YEAR, "deviation")
    client = login(username)
    assert client.get("/core/config/").status_code == list_status
    assert client.get(f"/core/config/{row.pk}/").status_code == edit_status
    assert client.post(f"/core/config/{row.pk}/", {"version": row.version, "value-threshold": "0.9"}).status_code == edit_status
    assert _row(world.regions[HOME], YEAR, "deviation").version == row.version


def test_far_perf_section_sees_only_its_own_region(world, login):
    home_row = _row(world.regions[HOME], YEAR, "deviation")
    far_row = _row(world.regions["654022"], YEAR, "deviation")
    client = login("far_perf_section")
    assert client.get(f"/core/config/{home_row.pk}/").status_code == 404
    assert client.get(f"/core/config/{far_row.pk}/").status_code == 200
    listing = client.get(f"/core/config/?year={YEAR}").content.decode()
    assert f"/core/config/{far_row.pk}/" in listing and f"/core/config/{home_row.pk}/" not in listing


def test_seed_page_opens_the_next_year(world, login):
    home = world.regions[HOME]
    r = login("perf_section").post(f"/core/config/seed/?year={YEAR + 1}")
    assert r.status_code == 302
    assert RegionConfig.objects.filter(region=home, year=YEAR + 1).count() == len(config.SPECS)
    assert not RegionConfig.objects.filter(region=world.regions["654022"], year=YEAR + 1).exists()
    assert login("section_reviewer").post(f"/core/config/seed/?year={YEAR + 2}").status_code == 403
    assert login("perf_section").get(f"/core/config/seed/?year={YEAR + 2}").status_code == 405


def test_review_steps_follow_the_region_config(world):
    home, perf = world.regions[HOME], world.user("perf_section")
    rows = copy.deepcopy(config.to_json(config.default_value("review_chains")))
    rows = [r for r in rows if r["code"] != "department"]
    _set(perf, _row(home, YEAR, "review_chains"), rows)
    assert [s["code"] for s in config.review_steps(home, YEAR, "target")] == ["agency_self", "section", "performance"]
    assert [s["code"] for s in config.review_steps(home, YEAR, "target", include_optional=True)][-1] == "expert_panel"
    assert config.review_steps(world.regions["654022"], YEAR, "target")[1]["code"] == "department"
    assert config.review_steps(home, YEAR, "evaluation") == []


def test_seed_service_refuses_another_regions_config(world):
    from django.core.exceptions import PermissionDenied

    home = world.regions[HOME]
    for outsider in ("far_perf_section", "section_reviewer", "sysadmin"):
        with pytest.raises(PermissionDenied):
            seed_region_config(actor=world.user(outsider), region=home, year=YEAR + 1)
    assert not RegionConfig.objects.filter(region=home, year=YEAR + 1).exists()
    # the command line (no actor) may seed any region
    assert len(seed_region_config(actor=SYSTEM, region=home, year=YEAR + 1)) == len(config.SPECS)


def test_the_configuration_page_shows_labels_not_codes(world, login):
    body = login("perf_section").get("/core/config/?year=2026").content.decode()
    assert "2021版（财预〔2021〕101号）" in body and "单位自审" in body and "单位负责人" in body
    assert "excellent" not in body and "agency_head" not in body and "domain-rules" not in body


def test_a_chain_step_of_a_role_that_cannot_review_is_refused():
    rows = config.to_json(config.default_value("review_chains"))
    for role, label in (("viewer", "领导/人大（只读）"), ("agency_preparer", "单位填报人"), ("system_admin", "系统管理员"),
                        ("firm", "第三方机构")):
        bad = copy.deepcopy(rows)
        bad[1]["role"] = role
        assert _errors("review_chains", bad) == [
            f"第 2 行（绩效目标审核链第 2 步“主管部门审核”）：“{label}”不能担任审核角色，该步骤将无人能审核；"
            "可选的审核角色：单位负责人、主管部门审核人、业务股室审核人、绩效股、专家"]
    assert _errors("review_chains", rows) == []


def test_the_configuration_page_shows_the_refusal_and_saves_nothing(world, login):
    home = world.regions[HOME]
    row = _row(home, YEAR, "review_chains")
    post = {"version": row.version}
    for i, step in enumerate(row.value):
        for k, v in step.items():
            post[f"row-{i}-{k}"] = ("on" if v else "") if isinstance(v, bool) else v
    post["row-3-role"] = "viewer"
    r = login("perf_section").post(f"/core/config/{row.pk}/", post)
    page = r.content.decode()
    assert r.status_code == 200 and "“领导/人大（只读）”不能担任审核角色" in page and "绩效股复审" in page
    assert _row(home, YEAR, "review_chains").value == row.value
