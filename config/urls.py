from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core import views as core_views

admin.site.site_header = "担当 · 系统管理"
admin.site.site_title = "担当系统管理"
admin.site.index_title = "管理首页"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz/", core_views.healthz, name="healthz"),
    path("inbox/", core_views.inbox, name="inbox"),
    path("inbox/read-all/", core_views.inbox_mark_all_read, name="inbox_read_all"),
    path("inbox/<int:pk>/open/", core_views.notification_open, name="notification_open"),
    path("jobs/", core_views.job_list, name="job_list"),
    path("jobs/<int:pk>/", core_views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/download/", core_views.job_download, name="job_download"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("cadres.urls")),
    path("", include("tolerance.urls")),
    path("", include("care.urls")),
    path("", include("assessment.urls")),
    path("", include("api.urls")),
]
