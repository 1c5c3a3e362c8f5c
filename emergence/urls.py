from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import TemplateView

from emergence import csp, views
from emergence.forms import EmailPasswordResetForm

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
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
        auth_views.PasswordResetView.as_view(form_class=EmailPasswordResetForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("me/", include("laureates.urls")),
    path("me/introductions/", include("partners.urls_laureate")),
    path("reports/", include("reports.urls")),
    path("workshops/", include("workshops.urls")),
    path("partners/", include("partners.urls")),
    path("admin/", admin.site.urls),
]
