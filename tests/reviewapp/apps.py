from django.apps import AppConfig


class ReviewAppConfig(AppConfig):
    name = "tests.reviewapp"
    label = "reviewapp"
