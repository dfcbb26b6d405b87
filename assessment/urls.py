from django.urls import path

from assessment import views

app_name = "assessment"

urlpatterns = [
    path("assessment/", views.year_list, name="year_list"),
    path("assessment/years/new/", views.year_create, name="year_create"),
    path("assessment/years/<int:pk>/", views.year_detail, name="year_detail"),
    path("assessment/years/<int:pk>/batch/", views.grade_batch, name="batch"),
    path("assessment/years/<int:pk>/quota/request/", views.quota_request, name="quota_request"),
    path("assessment/years/<int:pk>/quota/<int:approval_pk>/decide/", views.quota_decide, name="quota_decide"),
    path("assessment/years/<int:pk>/close/", views.year_close, name="year_close"),
    path("assessment/grades/", views.grade_list, name="grade_list"),
    path("assessment/grades/<int:pk>/", views.grade_detail, name="grade_detail"),
    path("assessment/grades/<int:pk>/actions/<str:action>/", views.grade_action, name="grade_action"),
    path("assessment/team-interviews/", views.team_interview_list, name="team_interview_list"),
    path("assessment/team-interviews/new/", views.team_interview_create, name="team_interview_create"),
    path("assessment/reviews/", views.review_list, name="review_list"),
    path("assessment/rankings/", views.ranking_list, name="ranking_list"),
    path("assessment/reviews/open/", views.review_open, name="review_open"),
    path("assessment/reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("assessment/reviews/<int:pk>/actions/<str:action>/", views.review_action, name="review_action"),
    path("assessment/reviews/<int:pk>/items/new/", views.item_create, name="item_create"),
    path("assessment/reviews/<int:pk>/rankings/new/", views.ranking_create, name="ranking_create"),
    path("assessment/reviews/<int:pk>/rankings/<int:ranking_pk>/delete/", views.ranking_delete, name="ranking_delete"),
    path("assessment/reviews/<int:pk>/reports/<int:unit_pk>/", views.report_edit, name="report_edit"),
    path("assessment/priorities/", views.priority_list, name="priority_list"),
    path("assessment/promotions/", views.promotion_list, name="promotion_list"),
    path("assessment/priorities/new/<int:cadre_pk>/", views.priority_create, name="priority_create"),
    path("assessment/shortlist/", views.shortlist, name="shortlist"),
    path("assessment/shortlist/export/", views.shortlist_export, name="shortlist_export"),
    path("assessment/rules/", views.rules, name="rules"),
]
