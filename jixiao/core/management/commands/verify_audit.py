from django.core.management.base import BaseCommand, CommandError

from jixiao.core.audit import verify_all

LABELS = {"change": "变更日志", "security": "安全事件日志"}
MAX_NAMED = 20


class Command(BaseCommand):
    help = "校验审计日志哈希链：发现被篡改、删除或插入的记录时以非零状态退出。"

    def handle(self, *args, **options):
        results = verify_all()
        found: list[str] = []
        for chain, (count, problems) in results.items():
            label = LABELS.get(chain, chain)
            if problems:
                self.stdout.write(self.style.ERROR(f"{label}：共 {count} 条，发现 {len(problems)} 处问题"))
                for p in problems:
                    self.stdout.write(f"  第 {p.seq} 条：{p.message}")
                    found.append(f"{label}第 {p.seq} 条：{p.message}")
            else:
                self.stdout.write(self.style.SUCCESS(f"{label}：共 {count} 条，哈希链完整"))
        if found:
            # The error names the rows too: a scheduled run often keeps only stderr and the exit status.
            shown = "；".join(found[:MAX_NAMED])
            more = f"；另有 {len(found) - MAX_NAMED} 处" if len(found) > MAX_NAMED else ""
            raise CommandError(f"审计日志校验未通过：{shown}{more}")
