from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "jixiao.assessment"
    label = "assessment"
    verbose_name = "事前绩效评估"

    def ready(self):
        # 先评估后入库: the project library's admission gate asks this app for a supporting conclusion.
        from jixiao.assessment.services import exante_check, supported_ceilings
        from jixiao.projects.gates import register_budget_ceiling, register_exante_check

        register_exante_check(exante_check)
        # the supported amount caps the project's budget (and prefills its target sheet)
        register_budget_ceiling(supported_ceilings)

        # invitations of an assessment close when it concludes; a new expert login gets its tasks
        from jixiao.assessment.services import assessment_open, open_tasks_for_login
        from jixiao.pools.models import login_linked, subject_open

        subject_open.register(assessment_open)
        login_linked.register(open_tasks_for_login)

        # 附件: materials for the experts and the signed score sheet of an expert without a login (代录),
        # added by the performance section
        from jixiao.assessment.models import ExAnteAssessment
        from jixiao.core import attachments
        from jixiao.core.choices import AttachmentKind

        attachments.register(ExAnteAssessment, kinds={AttachmentKind.EXPERT_MATERIAL: "change",
                                                      AttachmentKind.SCORE_SHEET: "change",
                                                      AttachmentKind.OTHER: "change"})
        # the home page's key figures (org.home)
        from jixiao.assessment.services import home_figures
        from jixiao.org.home import register_home_figures

        register_home_figures(home_figures)
