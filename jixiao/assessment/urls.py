from django.urls import path

from jixiao.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.index, name="index"),
    path("list/", views.assessment_list, name="assessment_list"),
    path("new/", views.assessment_create, name="assessment_create"),
    path("statistics/", views.assessment_statistics, name="assessment_statistics"),
    path("mine/", views.my_assessments, name="my_assessments"),
    path("<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("<int:pk>/draw/", views.assessment_draw, name="assessment_draw"),
    path("<int:pk>/score/", views.assessment_score, name="assessment_score"),
    path("<int:pk>/proxy/", views.assessment_proxy, name="assessment_proxy"),
    path("<int:pk>/conclude/", views.assessment_conclude, name="assessment_conclude"),
    path("<int:pk>/opinion.docx", views.assessment_opinion, name="assessment_opinion"),
]
