from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "jixiao.library"
    label = "library"
    verbose_name = "指标库"
