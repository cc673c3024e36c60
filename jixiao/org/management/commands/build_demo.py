import json

from django.core.management.base import BaseCommand, CommandError

from jixiao.org import demo


class Command(BaseCommand):
    help = (
        "生成演示数据：--scale county 为临朐县（约 120 个预算单位、13 个乡镇街道、财政股室及全部演示账号），"
        "--scale province 另外批量生成约 180 个县（用于性能测试）。同一 --seed 结果相同。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["county", "province"], default="county")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--year", type=int, default=None, help="预算年度（默认今年），用于初始化区划年度配置")
        parser.add_argument("--if-empty", action="store_true", help="数据库中已有区划时什么也不做")
        parser.add_argument("--counties", type=int, default=demo.PROVINCE_COUNTIES,
                            help=f"--scale province 时批量生成的县数（默认 {demo.PROVINCE_COUNTIES}）")

    def handle(self, *args, scale, seed, year, if_empty, counties, **options):
        if if_empty and demo.database_has_regions():
            self.stdout.write("数据库中已有区划数据，跳过演示数据生成。")
            return
        if counties < 0:
            raise CommandError("--counties 不能为负数")
        if scale == "county":
            summary = demo.build_county(seed=seed, year=year)
        else:
            summary = demo.build_province(seed=seed, year=year, counties=counties)
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
