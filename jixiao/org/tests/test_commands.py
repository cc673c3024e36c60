"""Installation commands: the first region and the three administrators from the command line."""

import pytest
from django.core.management import CommandError, call_command

from jixiao.core.models import RegionConfig
from jixiao.org.models import Region, User

pytestmark = pytest.mark.django_db


def test_install_a_region_and_its_three_administrators():
    call_command("create_region", "370724", "临朐县", "--year", "2026")
    region = Region.objects.get(code="370724")
    assert RegionConfig.objects.filter(region=region, year=2026).count() > 0
    for role, username in (("system_admin", "admin_sys"), ("security_admin", "admin_sec"), ("audit_admin", "admin_aud")):
        call_command("create_user", "--region", "370724", "--role", role, "--username", username, "--name", username,
                     "--password", "Install#2026x")
    assert set(User.objects.values_list("role", flat=True)) == {"system_admin", "security_admin", "audit_admin"}
    assert User.objects.get(username="admin_sys").check_password("Install#2026x")


def test_install_commands_refuse_bad_input_and_write_nothing():
    with pytest.raises(CommandError, match="6 位数字"):
        call_command("create_region", "3707", "临朐县")
    call_command("create_region", "370724", "临朐县")
    with pytest.raises(CommandError, match="不存在"):
        call_command("create_user", "--region", "999999", "--role", "system_admin", "--username", "a",
                     "--name", "a", "--password", "Install#2026x")
    with pytest.raises(CommandError, match="密码"):
        call_command("create_user", "--region", "370724", "--role", "system_admin", "--username", "weak",
                     "--name", "a", "--password", "short")
    with pytest.raises(CommandError, match="单位"):
        call_command("create_user", "--region", "370724", "--role", "agency_preparer", "--username", "p",
                     "--name", "p", "--password", "Install#2026x")
    assert not User.objects.exists()
