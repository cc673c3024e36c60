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


def test_login_ignores_username_case_and_names_a_deactivated_account(world, password):
    from django.test import Client

    from jixiao.org import services

    c = Client()
    r = c.post("/login/", {"username": "Preparer", "password": password})
    assert r.status_code == 302 and c.get("/").context["user"].username == "preparer"
    target = world.user("unit_head")
    services.update_user(actor=world.user("sysadmin"), user=target, version=target.version, is_active=False)
    r = Client().post("/login/", {"username": "unit_head", "password": password})
    assert r.status_code == 200 and "该账号已停用" in r.content.decode()
    r = Client().post("/login/", {"username": "unit_head", "password": "wrong-Password1"})
    assert "账号或密码不正确" in r.content.decode()  # a wrong password learns nothing about the account


def test_home_lists_the_agencies_a_section_looks_after(world, login):
    body = login("section_reviewer_agri").get("/").content.decode()
    assert "本股室对口单位" in body and "临朐县农业农村局" in body and "临朐县城关街道办事处" in body
    assert "临朐县教育和体育局</a>" not in body
