from django.urls import path

from laureates import views, views_search, views_sponsor

app_name = "laureates"
urlpatterns = [
    path("", views.home, name="home"),
    path("edit/", views.edit, name="edit"),
    path("consent/", views.consent, name="consent"),
    path("consent/withdraw/", views.consent_withdraw_confirm, name="consent_withdraw"),
    path("placement/", views.placement, name="placement"),
    path("search/", views_search.search, name="search"),
    path("search/confirm/", views_search.search_still_looking, name="search_confirm"),
    path("search/close/", views_search.search_close, name="search_close"),
    path("sponsor/", views_sponsor.laureate_page, name="sponsor"),
    path("sponsor/meetings/new/", views_sponsor.laureate_meeting_new, name="sponsor_meeting_new"),
    path(
        "sponsor/meetings/<int:pk>/confirm/",
        views_sponsor.laureate_meeting_confirm,
        name="sponsor_meeting_confirm",
    ),
    path("sponsor/fit/", views_sponsor.laureate_fit, name="sponsor_fit"),
]
