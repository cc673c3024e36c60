from django.urls import path

from jixiao.pools import views

app_name = "pools"

urlpatterns = [
    path("", views.index, name="index"),
    path("experts/", views.expert_list, name="expert_list"),
    path("experts/new/", views.expert_create, name="expert_create"),
    path("experts/import/", views.expert_import, name="expert_import"),
    path("experts/import/template.xlsx", views.expert_import_template, name="expert_import_template"),
    path("experts/<int:pk>/", views.expert_detail, name="expert_detail"),
    path("experts/<int:pk>/edit/", views.expert_edit, name="expert_edit"),
    path("firms/", views.firm_list, name="firm_list"),
    path("firms/new/", views.firm_create, name="firm_create"),
    path("firms/import/", views.firm_import, name="firm_import"),
    path("firms/import/template.xlsx", views.firm_import_template, name="firm_import_template"),
    path("firms/<int:pk>/", views.firm_detail, name="firm_detail"),
    path("firms/<int:pk>/edit/", views.firm_edit, name="firm_edit"),
    path("firms/<int:pk>/records/new/", views.firm_record_create, name="firm_record_create"),
    path("draws/", views.draw_list, name="draw_list"),
    path("draws/new/", views.draw_create, name="draw_create"),
    path("draws/<int:pk>/", views.draw_detail, name="draw_detail"),
    path("draws/<int:pk>/verify/", views.draw_verify, name="draw_verify"),
    path("drawn/<int:pk>/accept/", views.drawn_accept, name="drawn_accept"),
    path("drawn/<int:pk>/decline/", views.drawn_decline, name="drawn_decline"),
    path("tasks/", views.my_tasks, name="my_tasks"),
]
