"""The benchmark: main pages' median time and SQL query count at growing sizes.

    make bench                                  # N=1,000 then N=10,000, SQLite scratch file
    BENCH_SIZES=500,2000 BENCH_REPEAT=9 make bench
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/emergence_bench make bench

It builds the laureates with bulk inserts in a scratch database (never the
project's), requests each page of PAGES through Django's test client and the
full middleware, and writes a table to stdout and bench/out/results.json. Then, at each
size, the work that is not a page: the partner and period exports run as background jobs,
timed to their file, and a laureate import of BENCH_IMPORT_ROWS rows (default 2,000) with
the N laureates already there.
To measure a new page, append it to PAGES (and its user to USERS if needed).
"""

import datetime
import json
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
# WhiteNoise warns that STATIC_ROOT is empty until collectstatic: irrelevant here.
warnings.filterwarnings("ignore", message="No directory at")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.imports import (  # noqa: E402
    clear_imported,
    laureate_file,
    reset_database,
    through_the_resource,
)
from emergence import roles  # noqa: E402
from emergence.jobs import job_run  # noqa: E402
from emergence.models import JobStatus  # noqa: E402
from emergence.overview_snapshots import overview_snapshots_refresh  # noqa: E402
from emergence.tasks import run_background_job  # noqa: E402
from laureates.models import (  # noqa: E402
    Channel,
    FollowUp,
    Laureate,
    Promotion,
    Situation,
    Sponsor,
    Sponsorship,
    Status,
    Track,
)
from partners.models import Company  # noqa: E402
from reports.models import ActivityReport, ReportPeriod, ReportStatus, quarter_dates  # noqa: E402
from reports.triage import triage_refresh  # noqa: E402

OUT = Path(settings.OUT)
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "1000,10000").split(",")]
REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
WARM_UP = 3
BATCH = 2000
User = get_user_model()


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    as_user: str | None = None  # a key of USERS; None for an anonymous visitor
    data: dict | None = None  # POSTed when given, else a GET
    # A redirect is its success too: a saved draft goes back to the form, a big export to
    # its progress page (the job is held, not run, and timed on its own: measure_work).
    redirects: bool = False


# The report period the bench laureates answer now: open since a week, due in a month.
TODAY = datetime.date.today()
CURRENT_PERIOD = (TODAY.year, (TODAY.month - 1) // 3 + 1)
CURRENT_SLUG = f"{CURRENT_PERIOD[0]}-q{CURRENT_PERIOD[1]}"
REPORT_DRAFT = {
    "action": "save",
    "studies_rating": "4",
    "studies_comment": "Les partiels approchent.",
    "sponsor_met": "True",
    "sponsor_meetings": "2",
    "project_progress": "3",
    "civic_involvement": "4",
    "civic_hours": "12",
    "search_kind": "internship",
    "search_field": "Conseil",
    "stress": "3",
}


PAGES = [
    Page("health check", "/healthz"),
    Page("laureate home", "/me/", as_user="laureate"),
    Page("admin laureate list", "/admin/laureates/laureate/", as_user="staff"),
    Page(
        "admin laureate list, active",
        "/admin/laureates/laureate/?status__exact=active",
        as_user="staff",
    ),
    Page("laureate workshops", "/workshops/", as_user="laureate"),
    Page("partner dashboard", "/partners/", as_user="partner"),
    Page(
        "partner dashboard, two filters",
        "/partners/?kind=internship&track=ingenieur&o=-starts_on",
        as_user="partner",
    ),
    Page("partner dashboard, search", "/partners/?q=sante", as_user="partner"),
    Page("partner export", "/partners/export.xlsx", as_user="partner", redirects=True),
    Page("laureate report list", "/reports/", as_user="laureate"),
    Page("report form", f"/reports/{CURRENT_SLUG}/", as_user="laureate"),
    Page(
        "report form, save draft",
        f"/reports/{CURRENT_SLUG}/",
        as_user="laureate",
        data=REPORT_DRAFT,
        redirects=True,
    ),
    Page(
        "admin triage list, needs attention",
        "/admin/laureates/laureate/?attention=yes",
        as_user="staff",
    ),
    Page("admin report list", "/admin/reports/activityreport/", as_user="staff"),
    # Offers: OFFERS of them over the companies; {offer} is the measured offer's id.
    Page("partner offer list", "/partners/offers/", as_user="partner"),
    Page("partner offer and its matches", "/partners/offers/{offer}/", as_user="partner"),
    Page("laureate offers", "/offers/", as_user="laureate"),
    Page("admin offer list", "/admin/partners/offer/", as_user="staff"),
    Page("admin offer matches", "/admin/partners/offer/{offer}/matches/", as_user="staff"),
    # The staff overview (the admin's index): every panel, for the programme lead's role.
    Page("admin overview", "/admin/", as_user="lead"),
    # The console's other big lists, bare and with one filter (issue 16).
    Page("admin follow-up list", "/admin/laureates/followup/", as_user="staff"),
    Page(
        "admin follow-up list, by channel",
        "/admin/laureates/followup/?channel__exact=phone",
        as_user="staff",
    ),
    Page("admin sponsorship list", "/admin/laureates/sponsorship/", as_user="staff"),
    Page(
        "admin sponsorship list, current",
        "/admin/laureates/sponsorship/?current=yes",
        as_user="staff",
    ),
    Page("admin user list", "/admin/emergence/user/", as_user="staff"),
    Page("admin user list, staff", "/admin/emergence/user/?is_staff__exact=1", as_user="staff"),
    Page(
        "admin report list, submitted",
        "/admin/reports/activityreport/?status__exact=submitted",
        as_user="staff",
    ),
    Page("admin registration list", "/admin/workshops/registration/", as_user="staff"),
    Page("admin partner views log", "/admin/partners/partnerviewlog/", as_user="staff"),
]

# BENCH_PAGES=dashboard,admin keeps the pages whose name holds one of the words (and the
# health check, the floor every figure is read against).
if os.environ.get("BENCH_PAGES"):
    _WORDS = [word.strip() for word in os.environ["BENCH_PAGES"].split(",") if word.strip()]
    PAGES = [
        page
        for page in PAGES
        if page.path == "/healthz" or any(word in page.name for word in _WORDS)
    ]

# Who requests the pages: functions so they are looked up after the data is built.
USERS: dict[str, Callable[[], object]] = {
    "staff": lambda: User.objects.get(email="staff@bench.example.org"),
    "laureate": lambda: User.objects.get(email="laureate@bench.example.org"),
    "partner": lambda: User.objects.get(email="partner@bench.example.org"),
    "lead": lambda: User.objects.get(email="lead@bench.example.org"),
}


@transaction.atomic
def build_base() -> None:
    """Promotions, a staff referent, two companies and their sponsors, the measured laureate."""
    hashed = make_password("bench-password")
    staff = User.objects.create(
        email="staff@bench.example.org", password=hashed, is_staff=True, is_superuser=True
    )
    lead = User.objects.create(email="lead@bench.example.org", password=hashed, is_staff=True)
    lead.groups.add(Group.objects.get(name=roles.LEAD))
    Promotion.objects.bulk_create(Promotion(year=year) for year in range(2009, 2027))
    companies = Company.objects.bulk_create(
        [Company(name="Conseil Horizon"), Company(name="Banque Solidaire")]
    )
    Sponsor.objects.bulk_create(
        Sponsor(
            first_name=f"Parrain{i}",
            last_name="Bench",
            email=f"sponsor{i}@bench.example.com",
            company=companies[i % 2],
        )
        for i in range(50)
    )
    user = User.objects.create(
        email="laureate@bench.example.org", password=hashed, first_name="Nora", last_name="Bench"
    )
    laureate = Laureate.objects.create(
        user=user,
        promotion=Promotion.objects.get(year=2024),
        track=Track.MEDICINE,
        study_year=3,
        referent=staff,
        # Joined with their promotion: they owe the open period (one that opened after the
        # day they joined), so its form answers 200.
        joined_on=datetime.date(2024, 9, 1),
    )
    Sponsorship.objects.create(
        laureate=laureate, sponsor=Sponsor.objects.first(), started_on=datetime.date(2024, 10, 1)
    )


@transaction.atomic
def add_laureates(start: int, stop: int) -> None:
    """Laureates ``start`` to ``stop - 1``, with a current sponsor for most, one follow-up each."""
    hashed = make_password("bench-password")  # once: hashing is what makes users slow to create
    staff = User.objects.get(email="staff@bench.example.org")
    promotions = list(Promotion.objects.order_by("year"))
    sponsors = list(Sponsor.objects.order_by("pk"))
    tracks = [track for track in Track]
    statuses = [Status.ACTIVE] * 7 + [Status.ALUMNI] * 2 + [Status.LEFT]
    for low in range(start, stop, BATCH):
        high = min(low + BATCH, stop)
        users = User.objects.bulk_create(
            User(
                email=f"laureate{i}@bench.example.org",
                first_name=f"Prénom{i}",
                last_name=f"Nom{i:05d}",
                password=hashed,
            )
            for i in range(low, high)
        )
        laureates = Laureate.objects.bulk_create(
            Laureate(
                user=user,
                promotion=promotions[i % len(promotions)],
                track=tracks[i % len(tracks)],
                study_year=1 + i % 5,
                school=f"École {i % 40}",
                city="Lyon",
                status=statuses[i % len(statuses)],
                situation=Situation.STUDYING,
                referent=staff,
                joined_on=datetime.date(promotions[i % len(promotions)].year, 9, 1),
            )
            for i, user in zip(range(low, high), users, strict=True)
        )
        Sponsorship.objects.bulk_create(
            Sponsorship(
                laureate=laureate,
                sponsor=sponsors[i % len(sponsors)],
                started_on=datetime.date(2024, 10, 1),
            )
            for i, laureate in zip(range(low, high), laureates, strict=True)
            if i % 5
        )
        FollowUp.objects.bulk_create(
            FollowUp(laureate=laureate, channel=Channel.PHONE, note="Point d'étape", by=staff)
            for laureate in laureates
        )


WORKSHOP_SESSIONS = 500


@transaction.atomic
def add_workshops() -> None:
    """500 workshop sessions in 125 médecine and prépa series (built once), and a
    registration for each new active laureate of those tracks."""
    from workshops.models import Registration, Session, WorkshopSeries

    staff = User.objects.get(email="staff@bench.example.org")
    if not Session.objects.exists():
        # Four sessions a school year per series, as planned; ten series a year over the
        # last 13 school years (several cities per track), so the current year's are to come.
        today = datetime.date.today()
        current = today.year if today.month >= 8 else today.year - 1
        series = WorkshopSeries.objects.bulk_create(
            WorkshopSeries(
                school_year=f"{current - i // 10}-{current - i // 10 + 1}",
                track=[Track.MEDICINE, Track.PREPA][i % 2],
                audience_from_year=1,
                audience_to_year=3,
                lead=staff,
            )
            for i in range(WORKSHOP_SESSIONS // 4)
        )
        days = [(0, 9, 20), (0, 12, 12), (1, 3, 6), (1, 4, 17)]  # (year offset, month, day)
        Session.objects.bulk_create(
            Session(
                series=one,
                moment=moment,
                theme=f"Atelier {one.pk}-{n}",
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(hours=3),
                place="Maison des étudiants",
                capacity=20,
                published_at=starts_at - datetime.timedelta(days=30),
            )
            for one in series
            for n, (moment, (offset, month, day)) in enumerate(
                zip(["start", "midterms", "mock", "competitive"], days, strict=True)
            )
            for starts_at in [
                datetime.datetime(
                    int(one.school_year[:4]) + offset, month, day, 13, tzinfo=datetime.UTC
                )
            ]
        )
    sessions = list(Session.objects.order_by("pk").values_list("pk", "series__track"))
    by_track = {
        track: [pk for pk, session_track in sessions if session_track == track]
        for track in (Track.MEDICINE, Track.PREPA)
    }
    measured = Laureate.objects.get(user__email="laureate@bench.example.org")
    if not measured.workshop_registrations.exists():  # registered for every other session
        Registration.objects.bulk_create(
            Registration(session_id=pk, laureate=measured, status="confirmed")
            for pk in by_track[Track.MEDICINE][::2]
        )
    # The laureates added since the last call: those of the two tracks without a registration.
    laureates = (
        Laureate.objects.filter(track__in=list(by_track), status=Status.ACTIVE)
        .exclude(workshop_registrations__isnull=False)
        .values_list("pk", "track")
    )
    Registration.objects.bulk_create(
        (
            Registration(
                session_id=by_track[track][n % len(by_track[track])],
                laureate_id=pk,
                status="confirmed",
            )
            for n, (pk, track) in enumerate(laureates)
        ),
        batch_size=BATCH,
    )


SEARCH_FIELDS = ["Audit", "Conseil", "Data", "Finance", "Marketing", "Santé publique", "Droit"]


@transaction.atomic
def add_partner_data(start: int, stop: int) -> None:
    """An open search for every other laureate from ``start`` (half of all laureates), a
    valid consent to partner sharing for nine in ten of them, and the partner member."""
    from laureates.models import (
        PartnerConsent,
        Search,
        SearchKind,
        search_fold,
        search_sharing_refresh,
        search_text_refresh,
    )
    from partners.models import PartnerMembership

    if not PartnerMembership.objects.exists():
        user = User.objects.create(
            email="partner@bench.example.org", password=make_password("bench-password")
        )
        PartnerMembership.objects.create(user=user, company=Company.objects.first())
    pks = list(Laureate.objects.order_by("pk").values_list("pk", flat=True)[start:stop])
    kinds = list(SearchKind)
    today = datetime.date.today()
    for low in range(0, len(pks), BATCH):
        batch = list(enumerate(pks[low : low + BATCH], start=start + low))
        Search.objects.bulk_create(
            Search(
                laureate_id=pk,
                kind=kinds[i % 3],
                field=SEARCH_FIELDS[i % len(SEARCH_FIELDS)],
                field_folded=search_fold(SEARCH_FIELDS[i % len(SEARCH_FIELDS)]),
                starts_on=datetime.date(today.year + 1, 1 + i % 12, 1),
                duration_months=2 + i % 10,
                place="Lille" if i % 4 else "Lyon",
                place_folded="lille" if i % 4 else "lyon",
                pitch=f"Laureate {i}, motivated and curious.",
            )
            for i, pk in batch
            if i % 2 == 0
        )
        search_text_refresh(laureate_ids=[pk for i, pk in batch if i % 2 == 0])
        PartnerConsent.objects.bulk_create(
            PartnerConsent(
                laureate_id=pk, version="bench", expires_on=today + datetime.timedelta(days=300)
            )
            for i, pk in batch
            if i % 2 == 0 and i % 10 != 8
        )
        # Written in bulk, without consent_give(): who partners see, as it would write it.
        search_sharing_refresh(laureate_ids=[pk for i, pk in batch if i % 2 == 0])


OFFERS = int(os.environ.get("BENCH_OFFERS", "5000"))
OFFER_PLACES = ["Lille", "Lyon", "Paris", ""]
#: Page paths' placeholders, known once the data is built.
PATH_VALUES: dict[str, object] = {}


@transaction.atomic
def add_offers() -> None:
    """OFFERS offers over the companies (built once; one in ten closed or expired), and an
    open search for the measured laureate that fits some of them. The measured offer is the
    partner company's first: an internship in « Conseil » at Lille from next January."""
    from laureates.models import Search, SearchKind, search_fold
    from partners.models import Offer, PartnerMembership

    today = datetime.date.today()
    if not Offer.objects.exists():
        # The partner member's company first: offer 0, the measured one, is theirs.
        own = PartnerMembership.objects.get(user__email="partner@bench.example.org").company
        companies = [own, *Company.objects.exclude(pk=own.pk).order_by("pk")]
        kinds = list(SearchKind)
        partner = User.objects.get(email="partner@bench.example.org")
        Offer.objects.bulk_create(
            (
                Offer(
                    company=companies[i % len(companies)],
                    kind=kinds[i % 3] if i else SearchKind.INTERNSHIP,
                    title=f"Offre {i}",
                    field=(field := SEARCH_FIELDS[i % len(SEARCH_FIELDS)] if i else "Conseil"),
                    field_folded=search_fold(field),
                    place=(place := OFFER_PLACES[i % len(OFFER_PLACES)] if i else "Lille"),
                    place_folded=search_fold(place),
                    starts_on=datetime.date(today.year + 1, 1 + i % 12, 1),
                    duration_months=1 + i % 12,
                    description="Une offre du bench.",
                    closes_on=today + datetime.timedelta(days=(-5 if i % 10 == 9 else 60)),
                    posted_by=partner,
                )
                for i in range(OFFERS)
            ),
            batch_size=BATCH,
        )
    measured = Laureate.objects.get(user__email="laureate@bench.example.org")
    if not measured.searches.exists():
        Search.objects.create(
            laureate=measured,
            kind=SearchKind.INTERNSHIP,
            field="Conseil",
            field_folded="conseil",
            place="Lille",
            place_folded="lille",
            starts_on=datetime.date(today.year + 1, 2, 1),
        )
    PATH_VALUES["offer"] = Offer.objects.order_by("pk").values_list("pk", flat=True)[0]


REPORTS_PER_LAUREATE = 4


def bench_periods() -> list[ReportPeriod]:
    """The current quarter (open) and the three before it, oldest first."""
    year, quarter = CURRENT_PERIOD
    quarters = []
    for _ in range(REPORTS_PER_LAUREATE):
        quarters.append((year, quarter))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    periods = []
    for year, quarter in reversed(quarters):
        opens_on, due_on = quarter_dates(year, quarter)
        if (year, quarter) == CURRENT_PERIOD:
            opens_on, due_on = TODAY - datetime.timedelta(days=7), TODAY + datetime.timedelta(30)
        periods.append(
            ReportPeriod.objects.get_or_create(
                year=year, quarter=quarter, defaults={"opens_on": opens_on, "due_on": due_on}
            )[0]
        )
    return periods


@transaction.atomic
def add_reports(start: int, stop: int) -> None:
    """Four reports for each laureate ``start`` to ``stop - 1`` (the measured one included):
    three submitted quarters and the current one, half of them still a draft."""
    periods = bench_periods()
    laureates = Laureate.objects.filter(
        user__email__in=[f"laureate{i}@bench.example.org" for i in range(start, stop)]
    ).values_list("pk", flat=True)
    if start <= 1:
        # First, so that the measured laureate's current report is a draft they can save.
        laureates = [Laureate.objects.get(user__email="laureate@bench.example.org").pk, *laureates]
    submitted_at = timezone.now()
    rows = []
    for index, laureate_id in enumerate(laureates):
        for number, period in enumerate(periods):
            current = number == len(periods) - 1
            draft = current and index % 2 == 0
            rows.append(
                ActivityReport(
                    laureate_id=laureate_id,
                    period=period,
                    status=ReportStatus.DRAFT if draft else ReportStatus.SUBMITTED,
                    submitted_at=None if draft else submitted_at,
                    studies_rating=1 + (index + number) % 5,
                    sponsor_met=(index + number) % 3 != 0,
                    project_progress=1 + (index * 7 + number) % 5,
                    civic_involvement=1 + index % 5,
                    stress=1 + (index * 3 + number) % 5,
                    wants_contact=index % 17 == 0,
                    search_kind="internship" if index % 2 else "nothing",
                )
            )
    ActivityReport.objects.bulk_create(rows, batch_size=BATCH)


def measure(page: Page, clients: dict[str | None, Client]) -> dict:
    client = clients[page.as_user]
    path = page.path.format(**PATH_VALUES)

    def request():
        if page.data is not None:
            return client.post(path, page.data)
        return client.get(path)

    with jobs_held():
        for _ in range(WARM_UP):
            response = request()
        with CaptureQueriesContext(connection) as queries:
            response = request()
        # Read now: the next request's request_started signal empties the query log.
        query_count = len(queries)
        times = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            request()
            times.append((time.perf_counter() - started) * 1000)
    return {
        "page": page.name,
        "path": path,
        "status": 200 if page.redirects and response.status_code == 302 else response.status_code,
        "median_ms": round(statistics.median(times), 2),
        "queries": query_count,
    }


@contextmanager
def jobs_held():
    """Background jobs started meanwhile are recorded, not run (the bench's Celery is eager):
    a page that starts one is measured as its request; ``measure_work`` times the job."""
    held: list[int] = []
    delay = run_background_job.delay
    run_background_job.delay = held.append
    try:
        yield held
    finally:
        run_background_job.delay = delay


# Work that is not a page (issue 16): the exports as background jobs, timed from the start
# of the work to the file (every export goes through a job here, whatever its size), and a
# laureate import's rows per second with the N laureates already there.
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "2000"))
EXPORT_JOBS = ["partner export, to the file", "period export, to the file"]
IMPORT = "laureate import (resource)"


def measure_work(clients: dict[str | None, Client]) -> list[dict]:
    period = bench_periods()[-2]  # the last quarter, every laureate's report submitted
    with jobs_held() as held, override_settings(BACKGROUND_EXPORT_ROWS=0):
        clients["partner"].get("/partners/export.xlsx")
        clients["lead"].post(
            f"/admin/reports/reportperiod/{period.pk}/export/", {"file_format": "xlsx"}
        )
    results = []
    for name, pk in zip(EXPORT_JOBS, held, strict=True):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            job = job_run(pk=pk)
            elapsed = time.perf_counter() - started
        results.append(
            {
                "page": name,
                "status": 200 if job.status == JobStatus.DONE else 500,
                "seconds": round(elapsed, 2),
                "rows": job.total,
                "queries": len(queries),
            }
        )
    # The import file names this referent for half of its rows.
    User.objects.get_or_create(
        email="referent@bench.example.org", defaults={"is_staff": True, "first_name": "Paul"}
    )
    seconds, _cpu, queries = through_the_resource(laureate_file(IMPORT_ROWS))
    clear_imported()
    results.append(
        {
            "page": IMPORT,
            "status": 200,
            "seconds": round(seconds, 2),
            "rows": IMPORT_ROWS,
            "queries": queries,
        }
    )
    return results


def print_work_table(results: list[dict]) -> None:
    print(f"\n{connection.vendor}: background exports and the import, one run each")
    print(f"{'work':<32}{'N':>10}{'rows':>10}{'seconds':>10}{'rows/s':>10}{'queries':>10}")
    for row in results:
        flag = "" if row["status"] == 200 else f" ({row['status']})"
        print(
            f"{row['page']:<32}{row['n']:>10,}{row['rows']:>10,}{row['seconds']:>10.2f}"
            f"{row['rows'] / max(row['seconds'], 0.001):>10,.0f}{row['queries']:>10}{flag}"
        )


def logged_in_clients() -> dict[str | None, Client]:
    clients: dict[str | None, Client] = {None: Client()}
    for name, user in USERS.items():
        clients[name] = Client()
        clients[name].force_login(user())
    return clients


def print_table(results: list[dict]) -> None:
    sizes = sorted({row["n"] for row in results})
    cells = {(row["page"], row["n"]): row for row in results}
    width = max(len(page.name) for page in PAGES) + 2
    header = "".join(f"{f'N={n:,}':>22}" for n in sizes)
    print(
        f"\n{connection.vendor}: median of {REPEAT} requests after {WARM_UP} warm-up, "
        "queries of one request"
    )
    print(f"{'page':<{width}}{header}")
    print(f"{'':<{width}}" + "".join(f"{'median ms':>12}{'queries':>10}" for _ in sizes))
    for page in PAGES:
        line = f"{page.name:<{width}}"
        for n in sizes:
            row = cells[(page.name, n)]
            flag = "" if row["status"] == 200 else f" ({row['status']})"
            line += f"{row['median_ms']:>12.2f}{row['queries']:>10}{flag}"
        print(line)


def main() -> int:
    started = time.perf_counter()
    reset_database()
    build_base()
    results, work = [], []
    built = 1  # the measured laureate
    for n in SIZES:
        t = time.perf_counter()
        add_laureates(built, n)
        add_partner_data(built, n)
        add_workshops()
        add_offers()
        add_reports(built, n)
        built = max(built, n)
        # The triage list reads the stored scores: store those of the laureates loaded.
        triage_refresh()
        if connection.vendor == "postgresql":
            # What autovacuum does after a bulk load: without statistics the planner
            # takes the fresh tables for empty and picks nested loops.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        # The staff overview reads its unfiltered figures as the nightly job counts them.
        overview_snapshots_refresh()
        print(f"N={n:,}: built in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        clients = logged_in_clients()
        results += [{"n": n, **measure(page, clients)} for page in PAGES]
        work += [{"n": n, **row} for row in measure_work(clients)]

    print_table(results)
    print_work_table(work)
    report = {
        "database": connection.vendor,
        "repeat": REPEAT,
        "warm_up": WARM_UP,
        "sizes": SIZES,
        "python": sys.version.split()[0],
        "django": django.get_version(),
        "results": results,
        "work": work,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nJSON: {OUT / 'results.json'}  ({time.perf_counter() - started:.0f} s in all)")
    failed = [row for row in results + work if row["status"] != 200]
    for row in failed:
        what = row.get("path", row["page"])
        print(f"FAILED: {what} answered {row['status']} at N={row['n']}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
