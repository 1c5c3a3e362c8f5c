"""The placement loop: a placement closes the search and sets the situation, the next report
asks whether it goes on instead of carrying the closed search, introductions and referrals
lead to placements, a laureate in work co-opts at once, and staff read the yearly figures."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from laureates.models import (
    Placement,
    PlacementSource,
    SearchKind,
    Situation,
    Status,
    placement_end,
    placement_record,
)
from partners.models import (
    IntroductionStatus,
    PartnerViewKind,
    PartnerViewLog,
    ReferralStatus,
)
from reports.models import ActivityReport
from tests.factories import CompanyFactory, LaureateFactory
from tests.partner_factories import (
    CoOpterFactory,
    IntroductionFactory,
    ReferralFactory,
    SearchFactory,
    shared,
)
from tests.report_data import TODAY, form_data, make_period, past_report

pytestmark = pytest.mark.django_db

DAY = TODAY.date()  # 26 November 2026
REPORT_URL = reverse("reports:edit", kwargs={"period": "2026-q4"})
FIGURES_URL = reverse("admin:partners_placement_figures")


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(TODAY, tick=False)


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"


def internship(laureate, *, starts_on=datetime.date(2026, 10, 1), **fields):
    values = {
        "other_company": "Atelier Vert",
        "kind": SearchKind.INTERNSHIP,
        "title": "Stage de recherche",
        "duration_months": 6,
        **fields,
    }
    return placement_record(laureate=laureate, starts_on=starts_on, **values)


# Recording a placement ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "situation"),
    [
        (SearchKind.INTERNSHIP, Situation.INTERNSHIP),
        (SearchKind.WORK_STUDY, Situation.WORK_STUDY),
        (SearchKind.JOB, Situation.IN_WORK),
    ],
)
def test_a_placement_closes_the_search_and_puts_the_laureate_in_its_situation(
    laureate, kind, situation
):
    search = SearchFactory(laureate=laureate, kind=kind)
    internship(laureate, kind=kind, duration_months=None if kind == SearchKind.JOB else 6)
    search.refresh_from_db()
    laureate.refresh_from_db()
    assert search.closed_on == DAY
    assert laureate.situation == situation


def test_a_placement_starting_in_three_months_closes_the_search_but_not_yet_the_situation(
    laureate,
):
    search = SearchFactory(laureate=laureate, kind=SearchKind.INTERNSHIP)
    internship(laureate, starts_on=datetime.date(2027, 3, 1))
    search.refresh_from_db()
    laureate.refresh_from_db()
    assert search.closed_on == DAY
    assert laureate.situation == Situation.STUDYING


def test_a_placement_starting_within_a_month_already_sets_the_situation(laureate):
    internship(laureate, starts_on=datetime.date(2026, 12, 15))
    laureate.refresh_from_db()
    assert laureate.situation == Situation.INTERNSHIP


def test_an_old_placement_recorded_late_changes_neither_the_search_nor_the_situation(laureate):
    search = SearchFactory(laureate=laureate, kind=SearchKind.INTERNSHIP)
    internship(laureate, starts_on=datetime.date(2024, 6, 1), duration_months=2)
    search.refresh_from_db()
    laureate.refresh_from_db()
    assert search.closed_on is None
    assert laureate.situation == Situation.STUDYING


def test_ending_a_placement_sends_a_laureate_back_to_studying_and_an_alumnus_to_seeking():
    student = LaureateFactory()
    alumnus = LaureateFactory(status=Status.ALUMNI)
    for laureate, expected in [(student, Situation.STUDYING), (alumnus, Situation.SEEKING)]:
        placement_end(placement=internship(laureate), on=DAY)
        laureate.refresh_from_db()
        assert laureate.situation == expected


def test_ending_one_placement_keeps_the_situation_of_another_that_goes_on(laureate):
    job = internship(laureate, kind=SearchKind.JOB, title="Ingénieure", duration_months=None)
    side = internship(laureate, kind=SearchKind.INTERNSHIP)
    placement_end(placement=side, on=DAY)
    laureate.refresh_from_db()
    assert laureate.situation == Situation.IN_WORK
    assert list(Placement.objects.current()) == [job]


def test_staff_record_a_placement_from_the_console_and_the_laureate_is_in_work(
    partnerships_client, laureate
):
    response = partnerships_client.post(
        reverse("admin:laureates_placement_add"),
        {
            "laureate": laureate.pk,
            "kind": SearchKind.JOB,
            "title": "Ingénieure qualité",
            "other_company": "Forges du Nord",
            "starts_on": "2026-11-02",
            "source": PlacementSource.STAFF,
        },
    )
    assert response.status_code == 302
    laureate.refresh_from_db()
    assert laureate.situation == Situation.IN_WORK


def test_staff_end_a_placement_in_the_console_and_the_situation_goes_back(
    partnerships_client, laureate
):
    placement = internship(laureate)
    url = reverse("admin:laureates_placement_change", args=[placement.pk])
    data = {
        "laureate": laureate.pk,
        "kind": placement.kind,
        "title": placement.title,
        "other_company": placement.other_company,
        "starts_on": "2026-10-01",
        "duration_months": "6",
        "ended_on": "2026-11-20",
        "source": placement.source,
    }
    assert partnerships_client.post(url, data).status_code == 302
    laureate.refresh_from_db()
    assert laureate.situation == Situation.STUDYING


# The next report ----------------------------------------------------------------------


def placed_with_a_past_report(laureate):
    """Shared with partners, searching an internship as their last report said; then placed."""
    shared(laureate, kind=SearchKind.INTERNSHIP)
    past_report(laureate, make_period(2026, 3), search_field="Énergie", civic_actions="Tutorat")
    make_period(2026, 4)
    return internship(laureate, company=CompanyFactory(name="Forges du Nord"), other_company="")


def test_the_next_report_carries_the_placement_not_the_closed_search(laureate_client, laureate):
    placement = placed_with_a_past_report(laureate)
    response = laureate_client.get(REPORT_URL)
    report = response.context["report"]
    assert report.placement == placement
    assert report.search_kind == "" and report.search_field == ""
    assert "search" not in report.carried_over and "civic" in report.carried_over
    html = response.content.decode()
    assert "Your internship at Forges du Nord since 1 October 2026: does it go on? *" in html
    assert "And next, what are you looking for? *" in html
    assert 'value="Énergie"' not in html


def test_a_placed_laureate_who_submits_the_next_report_stays_off_the_partner_dashboard(
    laureate_client, laureate, partner_member, client
):
    placement = placed_with_a_past_report(laureate)
    response = laureate_client.post(
        REPORT_URL, form_data(placement_goes_on="True", search_kind="nothing", action="submit")
    )
    assert response.status_code == 302
    report = ActivityReport.objects.get(laureate=laureate, period__quarter=4)
    assert (report.placement, report.placement_goes_on) == (placement, True)
    assert not laureate.searches.open().exists()
    placement.refresh_from_db()
    assert placement.ended_on is None
    client.force_login(partner_member.user)
    assert "Benali" not in client.get(reverse("partners:dashboard")).content.decode()


def test_a_report_with_a_placement_cannot_be_submitted_without_saying_whether_it_goes_on(
    laureate_client, laureate
):
    placed_with_a_past_report(laureate)
    response = laureate_client.post(
        REPORT_URL, form_data(search_kind="nothing", civic_actions="Mentorat", action="submit")
    )
    assert response.status_code == 200
    assert "placement_goes_on" in response.context["form"].errors
    # Nothing typed is lost: the draft keeps the valid answers.
    assert ActivityReport.objects.get(laureate=laureate, period__quarter=4).civic_actions == (
        "Mentorat"
    )


def test_it_does_not_go_on_ends_the_placement_and_sets_the_situation_back(
    laureate_client, laureate
):
    placement = placed_with_a_past_report(laureate)
    laureate.refresh_from_db()
    assert laureate.situation == Situation.INTERNSHIP
    response = laureate_client.post(
        REPORT_URL,
        form_data(
            placement_goes_on="False",
            search_kind="job",
            search_field="Énergie",
            action="submit",
        ),
    )
    assert response.status_code == 302
    placement.refresh_from_db()
    laureate.refresh_from_db()
    assert placement.ended_on == DAY
    assert laureate.situation == Situation.STUDYING
    assert laureate.searches.open().get().kind == SearchKind.JOB


def test_a_report_saying_the_placement_goes_on_puts_the_laureate_in_its_situation(
    laureate_client, laureate
):
    # Recorded long before it started: the situation was left as it was then.
    placed_with_a_past_report(laureate)
    type(laureate).objects.filter(pk=laureate.pk).update(situation=Situation.STUDYING)
    laureate_client.post(
        REPORT_URL, form_data(placement_goes_on="True", search_kind="nothing", action="submit")
    )
    laureate.refresh_from_db()
    assert laureate.situation == Situation.INTERNSHIP


def test_the_submitted_report_and_its_console_page_show_the_placement_answer(
    laureate_client, laureate, lead
):
    placed_with_a_past_report(laureate)
    laureate_client.post(
        REPORT_URL, form_data(placement_goes_on="True", search_kind="nothing", action="submit")
    )
    html = laureate_client.get(REPORT_URL).content.decode()
    section = html.split('id="section-search"')[1].split("</section>")[0]
    assert "Your internship at Forges du Nord since 1 October 2026: does it go on?" in section
    assert "<dd>Yes</dd>" in section
    report = ActivityReport.objects.get(laureate=laureate, period__quarter=4)
    lead_client = Client()
    lead_client.force_login(lead)
    lead_client.cookies["django_language"] = "en"
    page = lead_client.get(reverse("admin:reports_activityreport_change", args=[report.pk]))
    text = page.content.decode()
    assert "Forges du Nord" in text and "Does it go on?" in text


def test_a_laureate_still_searching_gets_their_open_search_carried_over(laureate_client, laureate):
    shared(laureate, kind=SearchKind.JOB, field="Data", place="Lyon")
    past_report(laureate, make_period(2026, 3), search_kind="job", search_field="Ancien")
    make_period(2026, 4)
    report = laureate_client.get(REPORT_URL).context["report"]
    assert report.placement is None
    assert (report.search_kind, report.search_field, report.search_place) == ("job", "Data", "Lyon")
    assert "search" in report.carried_over


# From an introduction, from a referral ----------------------------------------------------


def test_an_accepted_introduction_leads_to_one_placement_and_a_second_is_refused(
    partnerships_client, laureate
):
    introduction = IntroductionFactory(
        laureate=laureate,
        status=IntroductionStatus.ACCEPTED,
        kind=SearchKind.INTERNSHIP,
        title="Stage analyste",
        place="Lille",
        starts_on=datetime.date(2026, 11, 2),
        ends_on=datetime.date(2027, 5, 2),
    )
    url = reverse("admin:partners_introduction_placement", args=[introduction.pk])
    form = partnerships_client.get(url).context["form"]
    assert form.initial["company"] == introduction.company
    assert (form.initial["title"], form.initial["city"], form.initial["duration_months"]) == (
        "Stage analyste",
        "Lille",
        6,
    )
    data = {
        "kind": "internship",
        "title": "Stage analyste",
        "company": introduction.company.pk,
        "city": "Lille",
        "starts_on": "2026-11-02",
        "duration_months": "6",
    }
    assert partnerships_client.post(url, data).status_code == 302
    introduction.refresh_from_db()
    placement = introduction.placement
    assert placement.source == PlacementSource.INTRODUCTION
    assert placement.company == introduction.company
    laureate.refresh_from_db()
    assert laureate.situation == Situation.INTERNSHIP

    again = partnerships_client.post(url, data, follow=True)
    assert "A placement is already recorded for this introduction." in again.content.decode()
    assert Placement.objects.filter(laureate=laureate).count() == 1


def test_an_introduction_not_accepted_cannot_lead_to_a_placement(partnerships_client):
    introduction = IntroductionFactory(status=IntroductionStatus.FORWARDED)
    url = reverse("admin:partners_introduction_placement", args=[introduction.pk])
    page = partnerships_client.get(url).content.decode()
    assert "Only an introduction the laureate accepted can lead to a placement." in page
    assert 'name="title"' not in page


def test_a_hired_referral_leads_to_a_placement_at_the_partner_company_of_that_name(
    partnerships_client, laureate
):
    company = CompanyFactory(name="Cabinet Lumière")
    referral = ReferralFactory(
        candidate_laureate=laureate, candidate_name="", company="cabinet lumière"
    )
    change = reverse("admin:partners_referral_change", args=[referral.pk])
    data = {
        "coopter": referral.coopter.pk,
        "candidate_laureate": laureate.pk,
        "candidate_name": "",
        "company": referral.company,
        "job_title": referral.job_title,
        "platform": referral.platform,
        "platform_reference": "",
        "referred_on": "2026-03-01",
        "status": ReferralStatus.HIRED,
        "bonus": "800",
    }
    response = partnerships_client.post(change, data)
    url = reverse("admin:partners_referral_placement", args=[referral.pk])
    assert response.status_code == 302 and response["Location"] == url
    form = partnerships_client.get(url).context["form"]
    assert (form.initial["company"], form.initial["other_company"]) == (company, "")
    posted = {
        "kind": "job",
        "title": "Analyste",
        "company": company.pk,
        "starts_on": "2026-11-16",
    }
    assert partnerships_client.post(url, posted).status_code == 302
    referral.refresh_from_db()
    assert referral.placement.company == company
    assert referral.placement.source == PlacementSource.REFERRAL
    laureate.refresh_from_db()
    assert laureate.situation == Situation.IN_WORK


def test_a_referral_at_another_company_names_it(laureate):
    from partners.placements import referral_placement_initial

    referral = ReferralFactory(candidate_laureate=laureate, company="Boulangerie du Coin")
    initial = referral_placement_initial(referral)
    assert (initial["company"], initial["other_company"]) == (None, "Boulangerie du Coin")


# Co-optation ----------------------------------------------------------------------------


def test_a_laureate_who_declares_a_job_can_co_opt_at_once(laureate_client, laureate):
    assert not laureate.can_coopt
    response = laureate_client.post(
        reverse("laureates:placement"),
        {
            "kind": "job",
            "title": "Ingénieure",
            "other_company": "Forges du Nord",
            "starts_on": "2026-11-23",
        },
    )
    assert response.status_code == 302
    page = laureate_client.get(reverse("partners:cooptation")).content.decode()
    assert 'name="register"' in page
    response = laureate_client.post(
        reverse("partners:cooptation"), {"register": "1", "register-platforms": "Keycoopt"}
    )
    assert response.status_code == 302
    assert laureate.coopter.platforms == "Keycoopt"


def test_a_laureate_in_an_internship_cannot_co_opt(laureate_client, laureate):
    internship(laureate)
    page = laureate_client.get(reverse("partners:cooptation")).content.decode()
    assert 'name="register"' not in page


# The yearly figures ---------------------------------------------------------------------


def _figures_data():
    """At Forges du Nord: two internships in 2026, 10 and 30 days after the first contact;
    one job elsewhere."""
    forges = CompanyFactory(name="Forges du Nord")
    first, second = LaureateFactory(), LaureateFactory()
    PartnerViewLog.objects.create(
        company=forges,
        laureate=first,
        kind=PartnerViewKind.LAUREATE,
        viewed_at=datetime.datetime(2026, 9, 21, 9, tzinfo=datetime.UTC),
    )
    introduction = IntroductionFactory(laureate=second, membership__company=forges)
    introduction.created_at = datetime.datetime(2026, 9, 1, 9, tzinfo=datetime.UTC)
    introduction.save(update_fields=["created_at"])
    for laureate in (first, second):
        internship(laureate, company=forges, other_company="")
    internship(LaureateFactory(), kind=SearchKind.JOB, duration_months=None)
    return forges


def test_the_figures_show_counts_per_company_and_kind_and_the_median_delay(
    partnerships_client, django_assert_max_num_queries
):
    _figures_data()
    with django_assert_max_num_queries(8):
        response = partnerships_client.get(FIGURES_URL)
    rows = [
        (row.year, row.company_name, row.kind, row.count, row.median_days)
        for row in response.context["rows"]
    ]
    assert rows == [
        (2026, "Forges du Nord", "internship", 2, 20),
        (2026, "", "job", 1, None),
    ]
    html = response.content.decode()
    assert "Other companies" in html and "Forges du Nord" in html


def test_the_figures_cost_the_same_queries_for_many_placements(
    partnerships_client, django_assert_max_num_queries
):
    forges = _figures_data()
    for _ in range(15):
        laureate = LaureateFactory()
        PartnerViewLog.objects.create(
            company=forges, laureate=laureate, kind=PartnerViewKind.DASHBOARD
        )
        internship(laureate, company=forges, other_company="", starts_on=DAY)
    with django_assert_max_num_queries(8):
        assert partnerships_client.get(FIGURES_URL).status_code == 200


def test_the_placement_list_links_to_the_figures(partnerships_client):
    page = partnerships_client.get(reverse("admin:laureates_placement_changelist"))
    assert FIGURES_URL in page.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead_client", 200), ("partnerships_client", 200), ("referent_client", 403)],
)
def test_the_figures_are_for_partnerships_and_the_lead(request, who, status):
    assert request.getfixturevalue(who).get(FIGURES_URL).status_code == status


def test_the_figures_are_refused_to_the_workshops_team(workshops_client):
    assert workshops_client.get(FIGURES_URL).status_code == 403


def test_a_co_opter_fixture_in_work_still_co_opts():
    assert CoOpterFactory().laureate.can_coopt
