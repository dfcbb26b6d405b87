from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("dashboard/", views.dashboard, name="index"),
    path("dashboard/report/", views.report, name="report"),
    path("dashboard/report/pdf/", views.report_pdf, name="report_pdf"),
    path("dashboard/report/xlsx/", views.report_xlsx, name="report_xlsx"),
]
