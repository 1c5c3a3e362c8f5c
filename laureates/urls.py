from django.urls import path

from laureates import views

app_name = "laureates"
urlpatterns = [
    path("", views.home, name="home"),
    path("edit/", views.edit, name="edit"),
    path("consent/", views.consent, name="consent"),
    path("consent/withdraw/", views.consent_withdraw_confirm, name="consent_withdraw"),
    path("placement/", views.placement, name="placement"),
]
