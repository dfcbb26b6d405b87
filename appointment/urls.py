from django.urls import path

app_name = "appointment"
urlpatterns = []
