import unicodedata

from django.core.management.base import BaseCommand

from jixiao.org.models import User
from jixiao.org.personas import DEMO_PASSWORD, PERSONAS


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "列出演示账号（与测试中的人物相同）：账号、姓名、角色、所在单位或股室。"

    def handle(self, *args, **options):
        users = {
            u.username: u
            for u in User.objects.filter(username__in=[p.username for p in PERSONAS]).select_related(
                "region", "agency", "finance_section"
            )
        }
        if not users:
            self.stdout.write("数据库中没有演示账号（运行 manage.py build_demo 生成）。")
            return
        header = ("账号", "姓名", "角色", "所在")
        rows = []
        for p in PERSONAS:
            u = users.get(p.username)
            if u is None:
                continue
            if u.agency:
                where = u.agency.name
            elif u.finance_section:
                where = f"{u.region.name}财政局 {u.finance_section.name}"
            else:
                where = u.region.name if u.region else ""
            rows.append((u.username, u.display_name, u.get_role_display(), where))
        widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(3)]
        self.stdout.write(f"  演示账号（密码均为 {DEMO_PASSWORD}，仅供演示，正式使用前请删除或改密）：")

        def line(r):
            return "  " + "  ".join(_pad(c, w) for c, w in zip(r[:3], widths, strict=True)) + "  " + r[3]

        self.stdout.write(line(header))
        self.stdout.write("  " + "-" * (sum(widths) + 2 * 3 + 24))
        for r in rows:
            self.stdout.write(line(r))
