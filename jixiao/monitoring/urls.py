from django.urls import path

from jixiao.monitoring import views, views_board, views_decisions, views_execution

app_name = "monitoring"

urlpatterns = [
    path("execution/import/", views.execution_import, name="execution_import"),
    path("execution/import/template.xlsx", views.execution_import_template, name="execution_import_template"),
    path("projects/<int:pk>/execution/", views.execution_entry, name="execution_entry"),
    path("projects/<int:pk>/plan/", views.plan_entry, name="plan_entry"),
    path("plans/import/", views.plan_import, name="plan_import"),
    path("plans/import/template.xlsx", views.plan_import_template, name="plan_import_template"),
    path("execution/columns/", views_execution.import_columns, name="import_columns"),
    path("agencies/<int:pk>/execution/", views_execution.agency_execution_entry, name="agency_execution_entry"),
    path("rounds/", views.round_list, name="round_list"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/tables.xlsx", views.round_tables_xlsx, name="round_tables_xlsx"),
    path("rounds/<int:pk>/import/", views.round_tables_import, name="round_tables_import"),
    path("board/", views_board.board_page, name="board"),
    path("board/decide/", views_board.board_decide, name="board_decide"),
    path("statistics/", views_board.statistics_page, name="statistics"),
    path("tables/<int:pk>/", views.table_detail, name="table_detail"),
    path("tables/<int:pk>/submit/", views.table_submit, name="table_submit"),
    path("tables/<int:pk>/review/", views.table_review, name="table_review"),
    path("decisions/", views_decisions.decision_list, name="decision_list"),
    path("projects/<int:pk>/decide/", views_decisions.decision_create, name="decision_create"),
    path("decisions/<int:pk>/lift/", views_decisions.decision_lift, name="decision_lift"),
]
