from django.apps import AppConfig


class PoolsConfig(AppConfig):
    name = "jixiao.pools"
    label = "pools"
    verbose_name = "专家库与第三方机构库"

    def ready(self):
        # The experts drawn for an object review it at a chain's expert step (专家会审).
        from jixiao.pools import reviewers

        reviewers.register()
