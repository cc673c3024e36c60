from django.core.management.base import BaseCommand, CommandError

from jixiao.core.audit import verify_all

LABELS = {"change": "变更日志", "security": "安全事件日志"}


class Command(BaseCommand):
    help = "校验审计日志哈希链：发现被篡改、删除或插入的记录时以非零状态退出。"

    def handle(self, *args, **options):
        results = verify_all()
        failed = False
        for chain, (count, problems) in results.items():
            label = LABELS.get(chain, chain)
            if problems:
                failed = True
                self.stdout.write(self.style.ERROR(f"{label}：共 {count} 条，发现 {len(problems)} 处问题"))
                for p in problems:
                    self.stdout.write(f"  第 {p.seq} 条：{p.message}")
            else:
                self.stdout.write(self.style.SUCCESS(f"{label}：共 {count} 条，哈希链完整"))
        if failed:
            raise CommandError("审计日志校验未通过")
