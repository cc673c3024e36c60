from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "jixiao.projects"
    label = "projects"
    verbose_name = "项目库"
