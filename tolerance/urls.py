from django.urls import path

from tolerance import document_views, views

app_name = "tolerance"

urlpatterns = [
    path("tolerance/", views.case_list, name="list"),
    path("tolerance/new/", views.case_create, name="create"),
    path("tolerance/<int:pk>/", views.case_detail, name="detail"),
    path("tolerance/<int:pk>/actions/<str:action>/", views.case_action, name="action"),
    path("tolerance/<int:pk>/cadres/<int:case_cadre_pk>/checklist/", views.checklist_edit, name="checklist"),
    path("tolerance/<int:pk>/documents/<str:kind>/", document_views.case_document, name="document"),
    path("tolerance/<int:pk>/documents/<str:kind>/pdf/", document_views.case_document_pdf, name="document_pdf"),
    path("tolerance/evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("reforms/", views.reform_filing_list, name="reform_list"),
    path("reforms/new/", views.reform_filing_create, name="reform_create"),
    path("reforms/<int:pk>/", views.reform_filing_detail, name="reform_detail"),
]
