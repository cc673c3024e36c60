"""Unlock a login from the command line — e.g. the only security administrator, locked by someone
guessing at the login page (issue #11). Recorded as a security event of the system (actor 系统)."""

from django.core.management.base import BaseCommand, CommandError

from jixiao.core.actors import SYSTEM
from jixiao.org import services
from jixiao.org.models import User


class Command(BaseCommand):
    help = "解除账号的登录锁定（安全事件日志记为“系统”）。例：unlock_user secadmin"

    def add_arguments(self, parser):
        parser.add_argument("username", help="账号（不区分大小写）")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username__iexact=username.strip()).first()
        if user is None:
            raise CommandError(f"账号 {username} 不存在")
        services.unlock_user(actor=SYSTEM, user=user)
        self.stdout.write(f"已解除 {user.username} 的登录锁定。")
