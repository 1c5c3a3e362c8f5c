"""The open offers that fit the logged-in laureate's search, mounted at /offers/ by
emergence/urls.py."""

from django.urls import path

from partners import views_offers

app_name = "offers"
urlpatterns = [
    path("", views_offers.my_offers, name="list"),
    path("<int:pk>/", views_offers.my_offer, name="detail"),
]
