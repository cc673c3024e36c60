from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "jixiao.targets"
    label = "targets"
    verbose_name = "绩效目标管理"

    def ready(self):
        # 未设置绩效目标不得安排预算; a budget adjustment follows an adjusted target sheet.
        from jixiao.projects.gates import register_adjustment_check, register_target_check
        from jixiao.projects.panels import register_facts
        from jixiao.targets.services import adjustment_check, project_facts, target_check

        register_target_check(target_check)
        register_adjustment_check(adjustment_check)
        # 四个同步 on the project page: its target sheet beside its budget
        register_facts(project_facts)
