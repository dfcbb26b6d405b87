from django.urls import path

from appointment import views

app_name = "appointment"

urlpatterns = [
    path("cadres/<int:pk>/appointment-form/pdf/", views.form_pdf, name="form_pdf"),
    path("cadres/<int:pk>/appointment-form/docx/", views.form_docx, name="form_docx"),
    path("cadres/<int:pk>/lrmx/", views.lrmx_export, name="lrmx_export"),
    path("cadres/appointment-forms/pdf/", views.batch_pdf, name="batch_pdf"),
    path("cadres/lrmx/export/zip/", views.lrmx_export_many, name="lrmx_export_many"),
    path("cadres/lrmx/import/", views.lrmx_import, name="lrmx_import"),
    path("cadres/lrmx/import/<str:token>/", views.lrmx_import_preview, name="lrmx_import_preview"),
    path("cadres/lrmx/import/<str:token>/confirm/", views.lrmx_import_confirm, name="lrmx_import_confirm"),
]
