from django.urls import path

from cadres import views

app_name = "cadres"

urlpatterns = [
    path("cadres/", views.cadre_list, name="list"),
    path("cadres/export/", views.cadre_export, name="export"),
    path("cadres/new/", views.cadre_create_view, name="create"),
    path("cadres/import/", views.import_upload, name="import"),
    path("cadres/import/template/", views.import_template, name="import_template"),
    path("cadres/import/<str:token>/confirm/", views.import_confirm, name="import_confirm"),
    path("cadres/<int:pk>/", views.cadre_detail, name="detail"),
    path("cadres/<int:pk>/edit/", views.cadre_edit, name="edit"),
    path("cadres/<int:pk>/id-number/", views.reveal_id_number, name="reveal_id_number"),
    path("cadres/<int:pk>/photo/", views.cadre_photo, name="photo"),
    path("cadres/<int:pk>/postings/new/", views.posting_create, name="posting_create"),
    path("cadres/<int:pk>/records/<str:kind>/new/", views.record_create, name="record_create"),
    path("units/", views.unit_tree, name="unit_tree"),
]
