from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jixiao.core.actors import SYSTEM
from jixiao.core.errors import ValidationFailed
from jixiao.org import services
from jixiao.org.choices import RegionLevel
from jixiao.org.models import Region


class Command(BaseCommand):
    help = "安装时创建行政区划（租户），并写入当年的国家默认配置。例：create_region 370724 临朐县 --parent 370700"

    def add_arguments(self, parser):
        parser.add_argument("code", help="GB/T 2260 六位区划代码")
        parser.add_argument("name", help="名称，如 临朐县")
        parser.add_argument("--level", choices=RegionLevel.values, default=RegionLevel.COUNTY)
        parser.add_argument("--parent", help="上级区划代码（须已存在）")
        parser.add_argument("--year", type=int, default=None, help="配置年度，默认今年")

    def handle(self, *args, code, name, level, parent, year, **options):
        parent_region = None
        if parent:
            parent_region = Region.objects.filter(code=parent).first()
            if parent_region is None:
                raise CommandError(f"上级区划 {parent} 不存在")
        try:
            region = services.create_region(actor=SYSTEM, code=code, name=name, level=level, parent=parent_region,
                                             year=year or timezone.localdate().year)
        except ValidationFailed as exc:
            raise CommandError("；".join(exc.messages))
        self.stdout.write(self.style.SUCCESS(f"已创建区划 {region.code} {region.name}"))
