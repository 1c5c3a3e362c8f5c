from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache

from emergence import roles


def home(request):
    """Send each role to its place; anonymous visitors to the login page."""
    user = request.user
    if not user.is_authenticated:
        return redirect("login")
    if roles.is_staff(user):
        return redirect("admin:index")
    if roles.is_laureate(user):
        return redirect("laureates:home")
    if roles.is_partner(user):
        return redirect("partners:dashboard")
    return redirect("no_role")


@never_cache
def healthz(request):
    """200 when the database (and the broker, if one is configured) answers, 503 otherwise."""
    checks = {"database": _database_ok()}
    if settings.CELERY_BROKER_URL:
        checks["broker"] = _broker_ok()
    status = 200 if all(checks.values()) else 503
    return JsonResponse(
        {name: "ok" if ok else "down" for name, ok in checks.items()}, status=status
    )


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _broker_ok() -> bool:
    """One connection attempt, no retry: a health check must answer within a couple of seconds."""
    from emergence.celery import app

    try:
        with app.connection_for_write(
            settings.CELERY_BROKER_URL,
            connect_timeout=2,
            transport_options={"socket_timeout": 2, "socket_connect_timeout": 2},
        ) as conn:
            conn.ensure_connection(max_retries=0, timeout=2)
        return True
    except Exception:
        return False
