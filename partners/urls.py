from django.urls import path

from partners import views

app_name = "partners"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.xlsx", views.export, name="export"),
    path("laureates/<int:pk>/", views.laureate, name="laureate"),
    path("laureates/<int:pk>/introduction/", views.introduction_create, name="introduce"),
    path("introductions/", views.introductions, name="introductions"),
    path("introductions/<int:pk>/", views.introduction_detail, name="introduction"),
    path("cooptation/", views.cooptation, name="cooptation"),
    path("cooptation/referrals/<int:pk>/", views.referral_edit, name="referral"),
]
