from django.urls import path

from jixiao.targets import views, views_statistics

app_name = "targets"

urlpatterns = [
    path("", views.sheet_list, name="sheet_list"),
    path("review/", views.review_queue, name="review_queue"),
    path("new/", views.sheet_create, name="sheet_create"),
    path("export/", views.sheet_export, name="sheet_export"),
    path("import/", views.sheet_import, name="sheet_import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("coverage/", views_statistics.coverage, name="coverage"),
    path("statistics/", views_statistics.statistics, name="statistics"),
    path("<int:pk>/", views.sheet_detail, name="sheet_detail"),
    path("<int:pk>/edit/", views.sheet_edit, name="sheet_edit"),
    path("<int:pk>/indicators/", views.indicator_edit, name="indicator_edit"),
    path("<int:pk>/tasks/", views.task_edit, name="task_edit"),
    path("<int:pk>/adopt/", views.adopt, name="adopt"),
    path("<int:pk>/submit/", views.sheet_submit, name="sheet_submit"),
    path("<int:pk>/approve/", views.sheet_approve, name="sheet_approve"),
    path("<int:pk>/return/", views.sheet_return, name="sheet_return"),
    path("<int:pk>/proxy/", views.sheet_proxy, name="sheet_proxy"),
    path("<int:pk>/adjust/", views.sheet_adjust, name="sheet_adjust"),
    path("<int:pk>/publish/", views.sheet_publish, name="sheet_publish"),
    path("<int:pk>/draw/", views.sheet_draw, name="sheet_draw"),
    path("<int:pk>/admit/", views.sheet_admit, name="sheet_admit"),
    path("<int:pk>/versions/", views.sheet_versions, name="sheet_versions"),
    path("<int:pk>/sheet.xlsx", views.sheet_xlsx, name="sheet_xlsx"),
]
