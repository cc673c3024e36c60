from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "jixiao.org"
    label = "org"
    verbose_name = "组织机构与人员"

    def ready(self):
        from jixiao.org import reviewers

        reviewers.register()
