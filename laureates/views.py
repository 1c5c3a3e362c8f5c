from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from emergence.roles import laureate_required
from laureates.forms import LaureateContactForm
from laureates.models import Laureate


def _own_laureate(request) -> Laureate:
    """The logged-in laureate's own profile: never looked up by an id from the URL."""
    return get_object_or_404(
        Laureate.objects.select_related("user", "promotion", "referent"), user=request.user
    )


@laureate_required
def home(request):
    laureate = _own_laureate(request)
    return render(
        request,
        "laureates/home.html",
        {"laureate": laureate, "sponsorship": laureate.current_sponsorship},
    )


@laureate_required
def edit(request):
    laureate = _own_laureate(request)
    form = LaureateContactForm(request.POST or None, instance=laureate)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your details have been saved."))
        return redirect("laureates:home")
    return render(request, "laureates/edit.html", {"form": form})
