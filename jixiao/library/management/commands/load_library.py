from django.core.management.base import BaseCommand

from jixiao.library.loader import load_national


class Command(BaseCommand):
    help = "载入全国指标体系、评价框架和指标模板（可重复执行，已有的不再重复载入）。"

    def handle(self, *args, **options):
        counts = load_national()
        self.stdout.write(f"指标体系 {counts['taxonomy']} 条，评价框架 {counts['frameworks']} 个，指标模板 {counts['templates']} 条（新增）。")
