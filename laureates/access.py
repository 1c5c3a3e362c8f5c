"""How a laureate-facing view finds the laureate: from the logged-in user, never from the URL."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from laureates.models import Laureate


def own_laureate(request, queryset: QuerySet | None = None) -> Laureate:
    """The logged-in user's own laureate profile (404 if they have none)."""
    return get_object_or_404(
        Laureate.objects.all() if queryset is None else queryset, user=request.user
    )
