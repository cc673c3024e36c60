from django.apps import AppConfig


class PoolsConfig(AppConfig):
    name = "jixiao.pools"
    label = "pools"
    verbose_name = "专家库与第三方机构库"
