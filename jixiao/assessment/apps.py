from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "jixiao.assessment"
    label = "assessment"
    verbose_name = "事前绩效评估"

    def ready(self):
        # 先评估后入库: the project library's admission gate asks this app for a supporting conclusion.
        from jixiao.assessment.services import exante_check
        from jixiao.projects.gates import register_exante_check

        register_exante_check(exante_check)
