from django.urls import path

from jixiao.library import views

app_name = "library"

urlpatterns = [
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_create, name="template_create"),
    path("templates/import/", views.template_import, name="template_import"),
    path("templates/import/template.xlsx", views.template_import_template, name="template_import_template"),
    path("templates/<int:pk>/", views.template_detail, name="template_detail"),
    path("templates/<int:pk>/edit/", views.template_edit, name="template_edit"),
    path("templates/<int:pk>/copy/", views.template_copy, name="template_copy"),
    path("suggest/", views.suggest, name="suggest"),
    path("frameworks/", views.framework_list, name="framework_list"),
]
