from django.urls import path

from jixiao.core import views

app_name = "core"

urlpatterns = [
    path("inbox/", views.inbox_list, name="inbox"),
    path("reviews/<int:pk>/assign/", views.review_assign, name="review_assign"),
    # --- configuration, audit logs, jobs (below) ---
]

urlpatterns += [
    path("config/", views.config_list, name="config_list"),
    path("config/seed/", views.config_seed, name="config_seed"),
    path("config/<int:pk>/", views.config_edit, name="config_edit"),
    path("audit/changes/", views.change_log, name="change_log"),
    path("audit/security/", views.security_events, name="security_events"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
    path("audit/anchor/", views.audit_anchor, name="audit_anchor"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
    path("imports/errors.xlsx", views.import_errors, name="import_errors"),
    path("attachments/<str:owner>/<int:pk>/upload/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
]
