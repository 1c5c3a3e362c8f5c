from django.shortcuts import render

from emergence.roles import partner_required


@partner_required
def dashboard(request):
    # The role check has already loaded the membership; this reads its company.
    company = request.user.partner_membership.company
    return render(request, "partners/dashboard.html", {"company": company})
