"""The home page (issue #10, the first hour): modules not built yet are shown apart as 建设中 — greyed,
no link — and left out of the navigation bar; the built ones are working tiles."""

import re

import pytest

from jixiao.core import navigation


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["perf_section", "preparer", "leader", "expert"])
def test_unbuilt_modules_are_not_tiles_or_menu_entries(login, world, persona):
    role = world.user(persona).role
    page = login(persona).get("/").content.decode()
    tiles, planned = page.split('data-testid="home-areas"')[1].split('data-testid="home-planned"') \
        if 'data-testid="home-planned"' in page else (page.split('data-testid="home-areas"')[1], "")
    nav = page.split('data-testid="nav-areas"')[1].split("</ul>")[0]
    for area in navigation.AREAS:
        if role not in area.roles:
            continue
        if area.built:
            assert f'data-area="{area.code}"' in nav and area.label in tiles
        else:
            assert f'data-area="{area.code}"' not in nav  # no dead end in the menu
            block = re.search(rf'<div[^>]*data-area="{area.code}".*?</div>\s*</div>', planned, re.S)
            assert block, f"{area.label} missing from 建设中"
            assert "建设中" in block.group(0) and "href" not in block.group(0) and 'aria-disabled="true"' in block.group(0)
            assert f"/area/{area.code}/" not in page


def test_planned_and_built_split_the_role_areas():
    role = "performance_section"
    assert {a.code for a in navigation.areas_for(role)} | {a.code for a in navigation.planned_areas_for(role)} == {
        a.code for a in navigation.AREAS if role in a.roles}
    assert {"evaluation", "results", "disclosure"} <= {a.code for a in navigation.planned_areas_for(role)}
    assert "monitoring" in {a.code for a in navigation.areas_for(role)}  # built with issue #13
    assert all(a.built for a in navigation.areas_for(role))
