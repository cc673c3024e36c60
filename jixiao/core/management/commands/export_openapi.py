"""``manage.py export_openapi > docs/openapi.json`` (``make openapi``): the committed schema that
jixiao/core/tests/test_openapi.py regenerates and diffs, so an API change is always a visible diff."""

import json

from django.core.management.base import BaseCommand


def schema_json() -> str:
    from jixiao.api import api

    # Keys sorted and Chinese kept readable so the committed file diffs line by line.
    return json.dumps(api.get_openapi_schema(), sort_keys=True, indent=2, ensure_ascii=False)


class Command(BaseCommand):
    help = "打印 API 的 OpenAPI 架构（JSON），用于生成 docs/openapi.json。"

    def handle(self, *args, **options):
        reconfigure = getattr(self.stdout, "reconfigure", None)
        if reconfigure is not None:  # a pipe under LANG=C must still carry UTF-8
            reconfigure(encoding="utf-8")
        self.stdout.write(schema_json())
