from django.urls import path

from partners import views, views_offers

app_name = "partners"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.xlsx", views.export, name="export"),
    path("laureates/<int:pk>/", views.laureate, name="laureate"),
    path("laureates/<int:pk>/introduction/", views.introduction_create, name="introduce"),
    path("introductions/", views.introductions, name="introductions"),
    path("introductions/<int:pk>/", views.introduction_detail, name="introduction"),
    path("offers/", views_offers.offer_list, name="offers"),
    path("offers/new/", views_offers.offer_create, name="offer_new"),
    path("offers/<int:pk>/", views_offers.offer_detail, name="offer"),
    path("offers/<int:pk>/edit/", views_offers.offer_edit, name="offer_edit"),
    path("offers/<int:pk>/close/", views_offers.offer_close_view, name="offer_close"),
    path(
        "offers/<int:pk>/laureates/<int:laureate_pk>/",
        views_offers.offer_introduction,
        name="offer_introduce",
    ),
    path("cooptation/", views.cooptation, name="cooptation"),
    path("cooptation/referrals/<int:pk>/", views.referral_edit, name="referral"),
    path("cooptation/receipts/<int:pk>.pdf", views.receipt, name="receipt"),
]
