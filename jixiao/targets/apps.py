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

        # 附件: evidence for the sheet's targets (佐证材料), added while the sheet may be edited (draft, returned)
        from jixiao.core import attachments
        from jixiao.core.choices import AttachmentKind
        from jixiao.targets.models import TargetSheet

        attachments.register(TargetSheet, kinds={AttachmentKind.EVIDENCE: "edit", AttachmentKind.OTHER: "edit"})
        # the home page's key figures (org.home)
        from jixiao.org.home import register_home_figures
        from jixiao.targets.services import home_figures

        register_home_figures(home_figures)

        # background jobs: the official export of many sheets, the import of a large file
        import jixiao.targets.jobs  # noqa: F401
