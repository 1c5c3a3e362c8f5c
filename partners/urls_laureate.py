"""The laureate's introduction requests, mounted at /me/introductions/ by emergence/urls.py."""

from django.urls import path

from partners import views_laureate

app_name = "my_introductions"
urlpatterns = [
    path("", views_laureate.introduction_list, name="list"),
    path("<int:pk>/", views_laureate.introduction_detail, name="detail"),
    path("<int:pk>/answer/", views_laureate.introduction_answer, name="answer"),
]
