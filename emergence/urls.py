from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from emergence import csp, data_views, job_views, mfa, security, views, yearly_report_views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/deep", views.healthz_deep, name="healthz_deep"),
    path(".well-known/security.txt", views.security_txt, name="security_txt"),
    path("csp-report/", csp.csp_report, name="csp_report"),
    path(
        "accounts/no-role/",
        TemplateView.as_view(template_name="registration/no_role.html"),
        name="no_role",
    ),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path(
        "accounts/password_reset/",
        security.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/", security.account, name="account"),
    path("accounts/sign-out-everywhere/", security.sign_out_everywhere, name="sign_out_everywhere"),
    path("accounts/two-factor/", mfa.verify, name="mfa_verify"),
    path("accounts/two-factor/setup/", mfa.setup, name="mfa_setup"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("me/data/", data_views.page, name="personal_data"),
    path("me/data/prepare/", data_views.prepare, name="personal_data_prepare"),
    path("me/data/erase/", data_views.erase, name="personal_data_erase"),
    path("me/data/files/<str:token>.<str:kind>", data_views.download, name="personal_data_file"),
    path("jobs/<str:token>/", job_views.page, name="job"),
    path("jobs/<str:token>/status", job_views.status, name="job_status"),
    path("jobs/<str:token>/file", job_views.download, name="job_file"),
    path("me/", include("laureates.urls")),
    path("me/introductions/", include("partners.urls_laureate")),
    path("reports/", include("reports.urls")),
    path("workshops/", include("workshops.urls")),
    path("partners/", include("partners.urls")),
    path("offers/", include("partners.urls_offers")),
    path("sponsor/", include("laureates.urls_sponsor")),
    path(
        "admin/yearly-report/",
        admin.site.admin_view(yearly_report_views.yearly_report_page),
        name="yearly_report",
    ),
    path("admin/", admin.site.urls),
]
