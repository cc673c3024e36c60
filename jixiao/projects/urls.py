from django.urls import path

from jixiao.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("new/", views.project_create, name="project_create"),
    path("import/", views.project_import, name="project_import"),
    path("import/template.xlsx", views.project_import_template, name="project_import_template"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("<int:pk>/move/<slug:action>/", views.project_move, name="project_move"),
]
