from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "jixiao.projects"
    label = "projects"
    verbose_name = "项目库"

    def ready(self):
        # 附件: the 申报书 and the 可行性研究报告, added by whoever may edit the project
        from jixiao.core import attachments
        from jixiao.core.choices import AttachmentKind
        from jixiao.projects.models import Project

        attachments.register(Project, kinds={AttachmentKind.APPLICATION: "change", AttachmentKind.FEASIBILITY: "change",
                                             AttachmentKind.OTHER: "change"})
        # the home page's key figures (org.home)
        from jixiao.org.home import register_home_figures
        from jixiao.projects.panels import home_figures

        register_home_figures(home_figures)
