from django.urls import path

from care import views

app_name = "care"

urlpatterns = [
    path("care/", views.activity_list, name="activity_list"),
    path("care/activities/export/", views.activity_export, name="activity_export"),
    path("care/activities/new/", views.activity_create, name="activity_create"),
    path("care/activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("care/activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("care/activities/<int:pk>/cadres/add/", views.activity_add_cadres, name="activity_add_cadres"),
    path("care/activities/<int:pk>/cadres/<int:cadre_pk>/remove/", views.activity_remove_cadre,
         name="activity_remove_cadre"),
    path("care/activities/<int:pk>/confidential/", views.activity_confidential, name="activity_confidential"),
    path("care/concerns/", views.concern_list, name="concern_list"),
    path("care/<str:source>/<int:pk>/concerns/new/", views.concern_create, name="concern_create"),
    path("care/concerns/<int:pk>/", views.concern_detail, name="concern_detail"),
    path("care/concerns/<int:pk>/answer/", views.concern_answer, name="concern_answer"),
    path("care/consultations/", views.consultation_list, name="consultation_list"),
    path("care/consultations/new/", views.consultation_create, name="consultation_create"),
    path("care/consultations/<int:pk>/", views.consultation_detail, name="consultation_detail"),
    path("care/consultations/<int:pk>/submissions/new/", views.submission_create, name="submission_create"),
    path("care/submissions/<int:pk>/answer/", views.submission_answer, name="submission_answer"),
    path("care/compliance/", views.compliance, name="compliance"),
    path("care/follow-ups/", views.follow_up_list, name="follow_up_list"),
]
