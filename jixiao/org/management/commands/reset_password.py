"""Set a login's password from the command line — e.g. the only security administrator has forgotten
his (issue #11). Goes through ``org.services.reset_password`` as the system (actor 系统): the password
policy and the recent-password history apply, the holder must change it at the next login, and the
reset is a security event. (Django's own ``changepassword`` writes past all of that: use this one.)"""

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from jixiao.core.actors import SYSTEM
from jixiao.core.errors import ValidationFailed
from jixiao.org import services
from jixiao.org.models import User


class Command(BaseCommand):
    help = ("重置账号密码（须符合密码策略；下次登录须修改；安全事件日志记为“系统”）。"
            "例：reset_password secadmin，或 echo 新密码 | reset_password secadmin --stdin")

    def add_arguments(self, parser):
        parser.add_argument("username", help="账号（不区分大小写）")
        parser.add_argument("--stdin", action="store_true", help="从标准输入读取新密码（不回显、不进命令历史）")

    def handle(self, *args, username, stdin, **options):
        user = User.objects.filter(username__iexact=username.strip()).first()
        if user is None:
            raise CommandError(f"账号 {username} 不存在")
        if stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = getpass.getpass("新密码：")
            if getpass.getpass("再输入一次：") != password:
                raise CommandError("两次输入的密码不一致")
        try:
            services.reset_password(actor=SYSTEM, user=user, password=password)
        except ValidationFailed as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(f"已重置 {user.username} 的密码；该账号下次登录时须修改密码。")
