"""Who may open which staff page and run which action: the table is the documentation.

Letters: L the programme lead (Direction du programme), R a referent (Référent·e), W the
workshops coordination (Ateliers), P partnerships (Entreprises). A staff member whose letter
is missing gets 403; laureates, partner members and anonymous visitors are sent to the
console's login page. "-" means no role: the technical administrator (a superuser) only, or
nobody. A console page that is not in the table fails ``test_every_console_page_is_in_the_table``.
"""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import URLResolver, reverse

from emergence import roles
from emergence.models import ErasureRequest, OutboxEmail
from laureates.models import Placement, SearchKind, SponsorMeeting, SponsorshipFit
from partners.models import Donation, Offer, PartnerViewLog
from reports.models import QuietPeriod, ReportRead, Triage
from tests.factories import (
    CompanyFactory,
    FollowUpFactory,
    LaureateFactory,
    PartnerMembershipFactory,
    RoleStaffFactory,
    SponsorshipFactory,
    StaffFactory,
    UserFactory,
)
from tests.partner_factories import CoOpterFactory, IntroductionFactory, ReferralFactory
from tests.report_factories import ActivityReportFactory, QuestionnaireFactory
from tests.workshops_factories import KeyDateFactory, RegistrationFactory, SessionFactory

STAFF_ROLES = {"L": roles.LEAD, "R": roles.REFERENT, "W": roles.WORKSHOPS, "P": roles.PARTNERSHIPS}

# model: who may open its             list    add    change  delete  history
MODEL_PAGES = {
    "auth.group": ("L", "L", "L", "L", "L"),
    # History pages (emergence/history.py) of tracked models: who may change the object.
    "emergence.user": ("LRWP", "LP", "LRWP", "L", "LP"),
    "emergence.outboxemail": ("L", "-", "L", "L", "L"),
    # « Mes données »: the lead decides; the person asks on their page; the record stays.
    "emergence.erasurerequest": ("L", "-", "L", "-", "L"),
    "laureates.promotion": ("LRWP", "L", "LRWP", "L", "LRWP"),
    "laureates.laureate": ("LRWP", "L", "LRWP", "L", "LR"),
    "laureates.sponsor": ("LRP", "LRP", "LRP", "L", "LRP"),
    "laureates.sponsorship": ("LR", "LR", "LR", "L", "LR"),
    "laureates.followup": ("LR", "LR", "LR", "L", "LR"),
    "laureates.placement": ("LRP", "LRP", "LRP", "LP", "LRP"),
    # Sponsors' meetings: referents read and log them; the yearly fit answers are read only.
    "laureates.sponsormeeting": ("LR", "LR", "LR", "L", "LR"),
    "laureates.sponsorshipfit": ("LR", "-", "LR", "L", "LR"),
    "reports.activityreport": ("LR", "-", "LR", "L", "LR"),
    "reports.triage": ("LR", "L", "LR", "L", "LR"),
    "reports.reportperiod": ("LR", "L", "LR", "L", "LR"),
    "reports.questionnaire": ("LR", "L", "LR", "L", "LR"),
    "reports.quietperiod": ("LR", "L", "LR", "L", "LR"),
    # Who looked at a report or confidential answers: read-only, for the programme lead.
    "reports.reportread": ("L", "-", "L", "-", "L"),
    "workshops.keydate": ("LRW", "LW", "LRW", "LW", "LRW"),
    "workshops.workshopseries": ("LRW", "LW", "LRW", "LW", "LRW"),
    "workshops.session": ("LRW", "LW", "LRW", "LW", "LRW"),
    "workshops.registration": ("LW", "LW", "LW", "LW", "LW"),
    "workshops.feedback": ("LW", "L", "LW", "L", "LW"),
    "partners.company": ("LRP", "LP", "LRP", "L", "LRP"),
    "partners.partnermembership": ("LP", "LP", "LP", "LP", "LP"),
    "partners.introduction": ("LRP", "-", "LRP", "L", "LRP"),
    "partners.partnerviewlog": ("LP", "-", "LP", "-", "LP"),
    "partners.coopter": ("LP", "LP", "LP", "L", "LP"),
    "partners.referral": ("LP", "LP", "LP", "L", "LP"),
    # Donations: confirmed from their referral, then read-only (a receipt issued stands).
    "partners.donation": ("LP", "-", "LP", "-", "LP"),
    # Offers: partnerships staff post for any company and close them; the lead deletes.
    "partners.offer": ("LP", "LP", "LP", "L", "LP"),
    # Sign-in lockouts: the lead sees them and unlocks (deletes the attempt). Two-factor
    # devices are not in the console: the lead resets them from the user list.
    "axes.accessattempt": ("L", "-", "L", "L", "L"),
    "axes.accesslog": ("L", "-", "L", "-", "L"),
    "axes.accessfailurelog": ("L", "-", "L", "-", "L"),
    # The schedules of the background jobs are the technical administrator's.
    "django_celery_beat.periodictask": ("-", "-", "-", "-", "-"),
    "django_celery_beat.clockedschedule": ("-", "-", "-", "-", "-"),
    "django_celery_beat.crontabschedule": ("-", "-", "-", "-", "-"),
    "django_celery_beat.solarschedule": ("-", "-", "-", "-", "-"),
    "django_celery_beat.intervalschedule": ("-", "-", "-", "-", "-"),
}

# Other console pages: (url name, object it is about or None, who may open it).
OTHER_PAGES = [
    ("admin:index", None, "LRWP"),
    ("admin:password_change", None, "LRWP"),
    ("admin:auth_user_password_change", "emergence.user", "LP"),
    ("admin:laureates_laureate_import", None, "L"),
    ("admin:laureates_laureate_export", None, "LRWP"),
    ("admin:laureates_sponsor_import", None, "LRP"),
    ("admin:laureates_sponsor_export", None, "LRP"),
    ("admin:laureates_sponsorship_import", None, "LR"),
    ("admin:laureates_sponsorship_export", None, "LR"),
    # Per company: active sponsors, laureates followed, meetings per quarter.
    ("admin:laureates_sponsor_figures", None, "LRP"),
    ("admin:partners_company_import", None, "LP"),
    ("admin:partners_company_export", None, "LRP"),
    ("admin:reports_reportperiod_school_year", None, "L"),
    ("admin:reports_reportperiod_export", "reports.reportperiod", "LR"),
    ("admin:reports_questionnaire_copy", "reports.questionnaire", "L"),
    # The placement an accepted introduction or a hired referral led to (pre-filled form),
    # and the yearly placement figures: partnerships and the lead.
    ("admin:partners_introduction_placement", "partners.introduction", "LRP"),
    ("admin:partners_referral_placement", "partners.referral", "LP"),
    ("admin:partners_placement_figures", None, "LP"),
    # Confirming a pledged bonus received (the receipt), and the receipts' yearly export.
    ("admin:partners_referral_donation", "partners.referral", "LP"),
    ("admin:partners_donation_export", None, "LP"),
    # Staff pages outside the console ask the same permissions.
    ("workshops:attendance", "workshops.session", "LW"),
    # One version in a change history: who may change the object, as its history page.
    ("admin:emergence_user_simple_history", "emergence.user", "LP"),
    ("admin:laureates_laureate_simple_history", "laureates.laureate", "LR"),
    ("admin:laureates_sponsorship_simple_history", "laureates.sponsorship", "LR"),
    ("admin:laureates_followup_simple_history", "laureates.followup", "LR"),
    ("admin:laureates_placement_simple_history", "laureates.placement", "LRP"),
    ("admin:reports_activityreport_simple_history", "reports.activityreport", "LR"),
    ("admin:partners_introduction_simple_history", "partners.introduction", "LRP"),
    ("admin:partners_referral_simple_history", "partners.referral", "LP"),
    # An offer's matching laureates, where staff propose one.
    ("admin:partners_offer_matches", "partners.offer", "LP"),
    # The yearly report for funders (page and workbook): the lead and partnerships.
    ("yearly_report", None, "LP"),
]

# Pages every signed-in staff member has, or that only serve the others.
GENERIC = {
    "login",
    "logout",
    "password_change_done",
    "autocomplete",
    "jsi18n",
    "view_on_site",
    "app_list",
    # POST only: the second step of an import, refused like the import page itself.
    "laureates_laureate_process_import",
    "laureates_sponsor_process_import",
    "laureates_sponsorship_process_import",
    "partners_company_process_import",
    # POST only: confirming a big import checked in the background (its token, the owner's).
    "laureates_laureate_import_confirm",
    "laureates_sponsor_import_confirm",
    "laureates_sponsorship_import_confirm",
    "partners_company_import_confirm",
}

# model: action -> who is offered it on the list.
ACTIONS = {
    "emergence.user": {"send_invitation": "LP", "reset_two_factor": "L", "delete_selected": "L"},
    "emergence.outboxemail": {"resend": "L", "delete_selected": "L"},
    "emergence.erasurerequest": {},
    "auth.group": {"delete_selected": "L"},
    "laureates.promotion": {"delete_selected": "L"},
    "laureates.laureate": {
        "send_invitation": "LR",
        "assign_to_me": "LR",
        "assign_to": "LR",
        "record_contact": "LR",
        # A staff flag: a triage reason of its own, for who follows laureates.
        "flag_for_follow_up": "LR",
        "close_triage": "LR",
        "delete_selected": "L",
    },
    "laureates.sponsor": {"give_access": "LRP", "delete_selected": "L"},
    "laureates.sponsormeeting": {"delete_selected": "L"},
    "laureates.sponsorshipfit": {"delete_selected": "L"},
    "laureates.sponsorship": {"delete_selected": "L"},
    "laureates.followup": {"delete_selected": "L"},
    "laureates.placement": {"delete_selected": "LP"},
    "reports.activityreport": {"mark_reviewed": "LR", "reopen": "LR", "delete_selected": "L"},
    "reports.triage": {"delete_selected": "L"},
    "reports.reportperiod": {"delete_selected": "L"},
    "reports.questionnaire": {"copy_into_new_version": "L", "delete_selected": "L"},
    "reports.quietperiod": {"delete_selected": "L"},
    "reports.reportread": {},
    "workshops.keydate": {"delete_selected": "LW"},
    "workshops.workshopseries": {"propose_sessions": "LW", "delete_selected": "LW"},
    "workshops.session": {"publish": "LW", "delete_selected": "LW"},
    "workshops.registration": {"delete_selected": "LW"},
    "workshops.feedback": {"delete_selected": "L"},
    "partners.company": {"delete_selected": "L"},
    "partners.partnermembership": {"send_invitation": "LP", "delete_selected": "LP"},
    "partners.introduction": {"delete_selected": "L"},
    "partners.partnerviewlog": {},
    "partners.coopter": {"delete_selected": "L"},
    "partners.offer": {"close_offers": "LP", "delete_selected": "L"},
    "partners.referral": {
        "record_placement": "LP",
        "confirm_donation": "LP",
        "delete_selected": "L",
    },
    "partners.donation": {},
    "axes.accessattempt": {"cleanup_expired_attempts": "L", "delete_selected": "L"},
    "axes.accesslog": {"delete_selected": "-"},
    "axes.accessfailurelog": {"delete_selected": "-"},
    "django_celery_beat.periodictask": {},
    "django_celery_beat.clockedschedule": {},
    "django_celery_beat.crontabschedule": {},
    "django_celery_beat.solarschedule": {},
    "django_celery_beat.intervalschedule": {},
}
# Introductions' actions belong to the introductions' own flow (see their tests); every
# other action of the console is in ACTIONS.
FLOW_ACTIONS = {"partners.introduction"}


def _admin_url_names() -> set[str]:
    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            elif pattern.name:
                yield pattern.name

    return set(walk(admin.site.get_urls()))


def _page_urls(objects) -> list[tuple[str, str, str]]:
    """(label, URL, letters) of every page in the table."""
    pages = []
    for label, allowed in MODEL_PAGES.items():
        prefix = "admin:" + label.replace(".", "_")
        obj = objects[label]
        for suffix, letters in zip(
            ("changelist", "add", "change", "delete", "history"), allowed, strict=True
        ):
            args = [] if suffix in ("changelist", "add") else [obj.pk]
            pages.append((f"{label} {suffix}", reverse(f"{prefix}_{suffix}", args=args), letters))
    for name, about, letters in OTHER_PAGES:
        args = [objects[about].pk] if about else []
        if name.endswith("_simple_history"):  # a version: the object's last history row
            args.append(objects[about].history.latest().history_id)
        pages.append((name, reverse(name, args=args), letters))
    return pages


@pytest.fixture
def objects(db):
    """One object of each kind the console lists."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )

    laureate = LaureateFactory()
    report = ActivityReportFactory(laureate=laureate)
    session = SessionFactory()
    registration = RegistrationFactory(session=session)
    membership = PartnerMembershipFactory()
    interval = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS)
    return {
        "auth.group": Group.objects.get(name=roles.REFERENT),
        "emergence.user": membership.user,
        "emergence.outboxemail": OutboxEmail.objects.create(
            key="test:1", kind="test", to="a@example.org", language="fr", subject="S", text="T"
        ),
        "emergence.erasurerequest": ErasureRequest.objects.create(user=laureate.user),
        "laureates.promotion": laureate.promotion,
        "laureates.laureate": laureate,
        "laureates.sponsor": SponsorshipFactory(laureate=laureate).sponsor,
        "laureates.sponsorship": laureate.sponsorships.get(),
        "laureates.sponsormeeting": SponsorMeeting.objects.create(
            sponsorship=laureate.sponsorships.get(),
            date=datetime.date(2026, 3, 2),
            mode="phone",
            logged_by="laureate",
        ),
        "laureates.sponsorshipfit": SponsorshipFit.objects.create(
            sponsorship=laureate.sponsorships.get(), side="sponsor", year=2026, score=4
        ),
        "laureates.followup": FollowUpFactory(laureate=laureate, by=StaffFactory()),
        "laureates.placement": Placement.objects.create(
            laureate=laureate,
            kind=SearchKind.INTERNSHIP,
            title="Stage",
            other_company="Ailleurs",
            starts_on=datetime.date(2026, 6, 1),
        ),
        "reports.activityreport": report,
        "reports.triage": Triage.objects.create(laureate=laureate),
        "reports.reportperiod": report.period,
        "reports.questionnaire": QuestionnaireFactory(),
        "reports.quietperiod": QuietPeriod.objects.create(
            name="Partiels", starts_on=datetime.date(2027, 1, 4), ends_on=datetime.date(2027, 1, 9)
        ),
        "reports.reportread": ReportRead.objects.create(
            user=membership.user, user_email="a@example.org", laureate=laureate, what="report"
        ),
        "workshops.keydate": KeyDateFactory(),
        "workshops.workshopseries": session.series,
        "workshops.session": session,
        "workshops.registration": registration,
        "workshops.feedback": session.series.feedback.create(
            laureate=registration.laureate, rating=4
        ),
        "partners.company": membership.company,
        "partners.partnermembership": membership,
        "partners.introduction": IntroductionFactory(),
        "partners.partnerviewlog": PartnerViewLog.objects.create(
            user=membership.user, company=membership.company, kind="dashboard"
        ),
        "partners.coopter": CoOpterFactory(),
        "partners.referral": ReferralFactory(),
        "partners.donation": Donation.objects.create(
            referral=ReferralFactory(status="hired", bonus=800, pledged_to_programme=True),
            donor_name="Awa Diallo",
            donor_address="3 rue Haute",
            donor_postcode="69001",
            donor_city="Lyon",
            amount=800,
            received_on=datetime.date(2026, 6, 2),
            receipt_year=2026,
            receipt_number=1,
            confirmed_on=datetime.date(2026, 6, 3),
        ),
        "partners.offer": Offer.objects.create(
            company=membership.company,
            kind=SearchKind.INTERNSHIP,
            title="Stage",
            description="Six mois.",
            closes_on=datetime.date(2099, 1, 1),
        ),
        "axes.accessattempt": AccessAttempt.objects.create(
            username="a@example.org", ip_address="127.0.0.1", failures_since_start=1
        ),
        "axes.accesslog": AccessLog.objects.create(username="a@example.org"),
        "axes.accessfailurelog": AccessFailureLog.objects.create(username="a@example.org"),
        "django_celery_beat.periodictask": PeriodicTask.objects.create(
            name="t", task="t", interval=interval
        ),
        "django_celery_beat.clockedschedule": ClockedSchedule.objects.create(
            clocked_time=datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)
        ),
        "django_celery_beat.crontabschedule": CrontabSchedule.objects.create(),
        "django_celery_beat.solarschedule": SolarSchedule.objects.create(
            event="sunrise", latitude=48.85, longitude=2.35
        ),
        "django_celery_beat.intervalschedule": interval,
    }


def test_every_console_page_is_in_the_table():
    tabled = {
        label.replace(".", "_") + "_" + suffix
        for label in MODEL_PAGES
        for suffix in ("changelist", "add", "change", "delete", "history")
    }
    tabled |= {name.removeprefix("admin:") for name, _about, _letters in OTHER_PAGES}
    missing = _admin_url_names() - tabled - GENERIC
    assert not missing, f"Add these console pages to the role table: {sorted(missing)}"
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(MODEL_PAGES)
    assert registered == set(ACTIONS)


def test_every_permission_a_role_names_exists(db):
    from django.contrib.auth.models import Permission

    known = {
        f"{app}.{codename}"
        for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    for role, perms in roles.STAFF_ROLES.items():
        named = {perm for perm in perms if not perm.endswith(".*")}
        assert named <= known, f"{role}: {sorted(named - known)}"


def test_a_fresh_install_has_the_four_roles(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(STAFF_ROLES.values())
    referent = Group.objects.get(name=roles.REFERENT)
    assert referent.permissions.filter(codename="read_followed_confidential").exists()
    assert not referent.permissions.filter(codename="read_all_confidential").exists()


@pytest.mark.parametrize("letter", list(STAFF_ROLES))
def test_each_role_opens_exactly_the_console_pages_of_the_table(client, objects, letter):
    client.force_login(RoleStaffFactory(role=STAFF_ROLES[letter]))
    wrong = []
    for label, url, letters in _page_urls(objects):
        expected = 200 if letter in letters else 403
        status = client.get(url).status_code
        if status != expected:
            wrong.append(f"{label} {url}: {status}, expected {expected}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("who", ["laureate", "partner", "anonymous", "staff without a role"])
def test_people_without_a_role_never_open_a_console_page(client, objects, who):
    if who == "laureate":
        client.force_login(LaureateFactory().user)
    elif who == "partner":
        client.force_login(PartnerMembershipFactory().user)
    elif who == "staff without a role":
        client.force_login(RoleStaffFactory())
    wrong = []
    for label, url, _letters in _page_urls(objects):
        response = client.get(url)
        if who == "staff without a role":
            allowed = label in ("admin:index", "admin:password_change")
            ok = response.status_code == (200 if allowed else 403)
        elif who == "anonymous" or url.startswith("/admin/"):
            login = reverse("admin:login") if url.startswith("/admin/") else reverse("login")
            ok = response.status_code == 302 and response["Location"].startswith(login)
        else:  # a staff page outside the console refuses a signed-in laureate or partner
            ok = response.status_code == 403
        if not ok:
            wrong.append(f"{label} {url}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_the_technical_administrator_opens_every_console_page(client, objects):
    client.force_login(StaffFactory())
    wrong = []
    for label, url, letters in _page_urls(objects):
        status = client.get(url).status_code
        # Pages nobody may open (adding an e-mail to the outbox, a report, a view log)
        # stay closed for the superuser too.
        if status != 200 and letters != "-":
            wrong.append(f"{label} {url}: {status}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("letter", list(STAFF_ROLES))
def test_each_role_is_offered_exactly_the_actions_of_the_table(db, letter):
    user = RoleStaffFactory(role=STAFF_ROLES[letter])
    request = RequestFactory().get("/admin/")
    request.user = user
    wrong = []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        if label in FLOW_ACTIONS or not model_admin.has_view_or_change_permission(request):
            continue
        offered = set(model_admin.get_actions(request))
        expected = {name for name, letters in ACTIONS[label].items() if letter in letters}
        if offered != expected:
            wrong.append(f"{label}: offered {sorted(offered)}, expected {sorted(expected)}")
    assert not wrong, "\n".join(wrong)


def test_every_console_action_is_in_the_table(db):
    request = RequestFactory().get("/admin/")
    request.user = StaffFactory()
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        if label in FLOW_ACTIONS:
            continue
        assert set(model_admin.get_actions(request)) <= set(ACTIONS[label]) | {
            # celery beat's own actions are the technical administrator's
            "enable_tasks",
            "disable_tasks",
            "toggle_tasks",
            "run_tasks",
            "delete_selected",
        }, label


def test_an_action_a_role_cannot_run_does_nothing_when_posted(client, objects):
    laureate = objects["laureates.laureate"]
    client.force_login(RoleStaffFactory(role=roles.WORKSHOPS))
    response = client.post(
        reverse("admin:laureates_laureate_changelist"),
        {"action": "assign_to_me", "_selected_action": [laureate.pk]},
    )
    assert response.status_code in (200, 302)
    assert not Triage.objects.filter(laureate=laureate, assigned_to__isnull=False).exists()


def test_staff_page_outside_the_console_refuses_a_post_without_the_permission(client, objects):
    session = objects["workshops.session"]
    registration = objects["workshops.registration"]
    client.force_login(RoleStaffFactory(role=roles.REFERENT))
    url = reverse("workshops:attendance", args=[session.pk])
    response = client.post(url, {"attended": [registration.pk]})
    assert response.status_code == 403
    registration.refresh_from_db()
    assert not registration.attended


def test_a_role_sees_only_the_menus_it_can_use(client, db):
    client.force_login(RoleStaffFactory(role=roles.WORKSHOPS))
    apps = {app["app_label"] for app in client.get(reverse("admin:index")).context["app_list"]}
    assert apps == {"emergence", "laureates", "workshops"}


def test_staff_without_the_roles_permission_cannot_make_anyone_staff_or_superuser(client, db):
    target = UserFactory()
    partnerships = RoleStaffFactory(role=roles.PARTNERSHIPS)
    client.force_login(partnerships)
    url = reverse("admin:emergence_user_change", args=[target.pk])
    response = client.get(url)
    form = response.context["adminform"].form
    for field in ("is_staff", "is_superuser", "groups", "user_permissions"):
        assert field not in form.fields
    referent_group = Group.objects.get(name=roles.REFERENT)
    client.post(
        url,
        {
            "email": target.email,
            "first_name": target.first_name,
            "last_name": target.last_name,
            "language": "fr",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [referent_group.pk],
        },
    )
    target.refresh_from_db()
    assert not target.is_staff and not target.is_superuser
    assert not target.groups.exists()


def test_only_the_lead_changes_a_staff_account_and_nobody_but_a_superuser_a_superuser(client, db):
    colleague = RoleStaffFactory(role=roles.REFERENT)
    superuser = StaffFactory()
    client.force_login(RoleStaffFactory(role=roles.PARTNERSHIPS))
    assert client.get(reverse("admin:emergence_user_change", args=[colleague.pk])).status_code in (
        200,
        403,
    )
    assert (
        client.post(
            reverse("admin:auth_user_password_change", args=[colleague.pk]),
            {"password1": "x-new-pass-2026!", "password2": "x-new-pass-2026!"},
        ).status_code
        == 403
    )
    client.force_login(RoleStaffFactory(role=roles.LEAD))
    form = (
        client.get(reverse("admin:emergence_user_change", args=[colleague.pk]))
        .context["adminform"]
        .form
    )
    assert "groups" in form.fields and "is_staff" in form.fields
    assert "is_superuser" not in form.fields
    assert (
        client.get(reverse("admin:auth_user_password_change", args=[superuser.pk])).status_code
        == 403
    )


def test_a_role_changes_its_companies_but_not_a_laureate(client, objects):
    laureate = objects["laureates.laureate"]
    company = CompanyFactory(name="Avant")
    client.force_login(RoleStaffFactory(role=roles.PARTNERSHIPS))
    response = client.get(reverse("admin:laureates_laureate_change", args=[laureate.pk]))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    response = client.post(
        reverse("admin:partners_company_change", args=[company.pk]),
        {
            "name": "Après",
            "sector": "",
            "city": "",
            "contact_name": "",
            "contact_email": "",
            "contact_phone": "",
            "active": "on",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.name == "Après"


def test_an_alumnus_becomes_a_partner_member_only_when_staff_say_so(client, db):
    company = CompanyFactory(name="Banque Solidaire")
    alumnus = LaureateFactory(user__email="alumnus@example.org")
    colleague = RoleStaffFactory(role=roles.REFERENT)
    client.force_login(RoleStaffFactory(role=roles.PARTNERSHIPS))
    url = reverse("admin:partners_partnermembership_add")
    data = {"company": company.pk, "job_title": "Chargé de recrutement"}

    response = client.post(url, {**data, "user": colleague.pk})
    assert "compte d’un membre de l’équipe" in response.content.decode()
    response = client.post(url, {**data, "user": alumnus.user_id})
    assert "cochez la case" in response.content.decode()
    assert not company.memberships.exists()

    response = client.post(url, {**data, "user": alumnus.user_id, "also_laureate": "on"})
    assert response.status_code == 302
    assert company.memberships.get().user == alumnus.user


def test_nobody_reads_a_sign_in_link_in_the_outbox(client, db):
    email = OutboxEmail.objects.create(
        key="password-reset:1",
        kind="password-reset",
        to="a@example.org",
        language="fr",
        subject="Nouveau mot de passe",
        text="https://emergence.example.org/accounts/reset/MQ/secret-token/",
    )
    client.force_login(RoleStaffFactory(role=roles.LEAD))
    page = client.get(reverse("admin:emergence_outboxemail_change", args=[email.pk]))
    assert page.status_code == 200
    assert "secret-token" not in page.content.decode()
