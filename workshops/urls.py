from django.urls import path

from workshops import views, views_animators

app_name = "workshops"
urlpatterns = [
    path("", views.session_list, name="list"),
    path("sessions/<int:pk>/register/", views.register, name="register"),
    path("sessions/<int:pk>/event.ics", views.session_ics, name="session_ics"),
    path("sessions/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("registrations/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("sessions/<int:pk>/feedback/", views.feedback, name="feedback"),
    path("animate/", views_animators.animator_sessions, name="animator_sessions"),
    path("animate/sessions/<int:pk>/", views_animators.animator_session, name="animator_session"),
    path("calendar/reset/", views.feed_reset, name="feed_reset"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
]
