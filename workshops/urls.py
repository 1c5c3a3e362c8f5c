from django.urls import path

from workshops import views

app_name = "workshops"
urlpatterns = [
    path("", views.session_list, name="list"),
    path("sessions/<int:pk>/register/", views.register, name="register"),
    path("sessions/<int:pk>/event.ics", views.session_ics, name="session_ics"),
    path("sessions/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("registrations/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("series/<int:pk>/feedback/", views.feedback, name="feedback"),
    path("calendar/reset/", views.feed_reset, name="feed_reset"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
]
