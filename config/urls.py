from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from core import accounts as core_accounts
from core import security_views
from core import views as core_views

# The admin site refuses any user whose session has not passed the second factor.
admin.site.__class__ = OTPAdminSite
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
    path("password/", core_accounts.password_change, name="password_change"),
    path("second-factor/setup/", core_accounts.otp_setup, name="otp_setup"),
    path("second-factor/verify/", core_accounts.otp_verify, name="otp_verify"),
    # 三权分立: the 审计管理员's audit trail and the 安全管理员's grants.
    path("audit/", security_views.audit_list, name="audit_list"),
    path("audit/export/", security_views.audit_export, name="audit_export"),
    path("security/users/", security_views.security_users, name="security_users"),
    path("security/policy/", security_views.security_policy_edit, name="security_policy"),
    path("security/users/<int:pk>/", security_views.security_user, name="security_user"),
    path("security/users/<int:pk>/<str:action>/", security_views.security_grant, name="security_grant"),
    path("admin/", admin.site.urls),
    path("", include("cadres.urls")),
    path("", include("tolerance.urls")),
    path("", include("care.urls")),
    path("", include("assessment.urls")),
    path("", include("appointment.urls")),
    path("", include("dashboard.urls")),
    path("", include("api.urls")),
]
