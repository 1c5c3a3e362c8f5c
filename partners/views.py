from django.shortcuts import render

from emergence.roles import partner_required


@partner_required
def dashboard(request):
    membership = request.user.partner_membership
    return render(request, "partners/dashboard.html", {"company": membership.company})
