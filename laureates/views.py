from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from emergence.roles import laureate_required
from laureates.forms import LaureateContactForm


@laureate_required
def home(request):
    laureate = request.user.laureate
    return render(
        request,
        "laureates/home.html",
        {"laureate": laureate, "sponsorship": laureate.current_sponsorship},
    )


@laureate_required
def edit(request):
    laureate = request.user.laureate
    form = LaureateContactForm(request.POST or None, instance=laureate)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your details have been saved."))
        return redirect("laureates:home")
    return render(request, "laureates/edit.html", {"form": form})
