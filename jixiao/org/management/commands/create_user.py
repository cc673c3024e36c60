"""Create a login from the command line — the only way to create the three administrators
(系统管理员, 安全保密管理员, 安全审计员) of a new installation, so that no one inside the application can
grant an administrator role."""

import getpass

from django.core.management.base import BaseCommand, CommandError

from jixiao.core.actors import SYSTEM
from jixiao.core.errors import ValidationFailed
from jixiao.core.roles import Role
from jixiao.org import services
from jixiao.org.models import Agency, FinanceSection, Region


class Command(BaseCommand):
    help = "创建账号（安装时创建三员账号）。例：create_user --region 370724 --role system_admin --username admin1 --name 张三"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="区划代码")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--username", required=True)
        parser.add_argument("--name", required=True, help="姓名")
        parser.add_argument("--agency", help="单位代码（单位角色必填）")
        parser.add_argument("--section", help="股室代码（业务股室审核人必填）")
        parser.add_argument("--password", help="初始密码；不给则交互输入（推荐，避免留在命令历史中）")

    def handle(self, *args, region, role, username, name, agency, section, password, **options):
        region_obj = Region.objects.filter(code=region).first()
        if region_obj is None:
            raise CommandError(f"区划 {region} 不存在，请先运行 create_region")
        agency_obj = section_obj = None
        if agency:
            agency_obj = Agency.objects.filter(region=region_obj, code=agency).first()
            if agency_obj is None:
                raise CommandError(f"单位代码 {agency} 在区划 {region} 中不存在")
        if section:
            section_obj = FinanceSection.objects.filter(region=region_obj, code=section).first()
            if section_obj is None:
                raise CommandError(f"股室代码 {section} 在区划 {region} 中不存在")
        if not password:
            password = getpass.getpass("初始密码：")
            if password != getpass.getpass("再次输入："):
                raise CommandError("两次输入的密码不一致")
        try:
            user = services.create_user(actor=SYSTEM, region=region_obj, username=username, display_name=name,
                                        role=role, password=password, agency=agency_obj,
                                        finance_section=section_obj, allow_admin_role=True)
        except ValidationFailed as exc:
            raise CommandError("；".join(exc.messages))
        self.stdout.write(self.style.SUCCESS(f"已创建账号 {user.username}（{user.get_role_display()}）"))
