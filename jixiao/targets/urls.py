from django.urls import path

from jixiao.targets import views

app_name = "targets"

urlpatterns = [
    path("<int:pk>/", views.sheet_detail, name="sheet_detail"),
]
