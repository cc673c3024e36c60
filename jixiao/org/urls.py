from django.urls import path

from jixiao.org import views

app_name = "org"

urlpatterns = [
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/new/", views.agency_create, name="agency_create"),
    path("agencies/import/", views.agency_import, name="agency_import"),
    path("agencies/import/template.xlsx", views.agency_import_template, name="agency_import_template"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency_detail"),
    path("agencies/<int:pk>/edit/", views.agency_edit, name="agency_edit"),
    # --- finance sections, users, API tokens (below) ---
]

urlpatterns += [
    path("sections/", views.section_list, name="section_list"),
    path("sections/new/", views.section_create, name="section_create"),
    path("sections/<int:pk>/", views.section_detail, name="section_detail"),
    path("sections/<int:pk>/edit/", views.section_edit, name="section_edit"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/import/", views.user_import, name="user_import"),
    path("users/import/template.xlsx", views.user_import_template, name="user_import_template"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/role/", views.user_role, name="user_role"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/password/", views.user_password, name="user_password"),
    path("tokens/", views.token_list, name="token_list"),
]
