from django.urls import path

from tolerance import allegation_views, document_views, views

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
    path("allegations/", allegation_views.allegation_list, name="allegation_list"),
    path("allegations/new/", allegation_views.allegation_create, name="allegation_create"),
    path("allegations/<int:pk>/", allegation_views.allegation_detail, name="allegation_detail"),
    path("allegations/<int:pk>/actions/<str:action>/", allegation_views.allegation_action, name="allegation_action"),
    path("allegations/<int:pk>/reporter/", allegation_views.reporter_identity, name="reporter"),
    path("clarifications/", allegation_views.notice_list, name="notice_list"),
    path("clarifications/<int:pk>/", allegation_views.notice_detail, name="notice_detail"),
    path("clarifications/<int:pk>/print/", allegation_views.notice_print, name="notice_print"),
    path("clarifications/<int:pk>/pdf/", allegation_views.notice_pdf, name="notice_pdf"),
    path("clarifications/publication/", allegation_views.publication, name="publication"),
    path("clarifications/publication/export/", allegation_views.publication_export, name="publication_export"),
]
