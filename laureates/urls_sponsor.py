from django.urls import path

from laureates import views_sponsor as views

app_name = "sponsor"
urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/link/", views.sign_in_link, name="sign_in_link"),
    path("sponsorships/<int:pk>/", views.sponsorship, name="sponsorship"),
    path("sponsorships/<int:pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("sponsorships/<int:pk>/fit/", views.fit, name="fit"),
    path("meetings/<int:pk>/confirm/", views.meeting_confirm_view, name="meeting_confirm"),
]
