def test_world_builds_and_home_shows_scope(world, login):
    c = login("preparer")
    r = c.get("/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "仅本单位" in body and "临朐县第一中学" in body


def test_agency_list_scoped(world, login):
    body = login("dept_reviewer").get("/org/agencies/").content.decode()
    assert "临朐县第一中学" in body and "农业技术推广中心" not in body
    body = login("perf_section").get("/org/agencies/").content.decode()
    assert "农业技术推广中心" in body and "察布查尔" not in body
