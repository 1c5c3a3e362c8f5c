"""Demo data for the reports app: periods, questionnaires, reports in every state.

The periods are those of the current and the previous school year, and the quarter
containing today is open, so the demo laureate always has a report to fill in. Every
row is keyed on (laureate, period) and drawn from a ``random.Random`` seeded with a
constant: running the seed again rewrites the same rows. All texts are invented.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from emergence.mail import render_email
from emergence.models import OutboxEmail, OutboxStatus
from laureates.demo import LaureatesDemo
from laureates.models import Laureate, Sponsorship, Status
from reports.checkins import checkin_link_expires_on, checkin_message
from reports.models import (
    ANSWER_FIELDS,
    ActivityReport,
    CheckinAnswer,
    Exams,
    Question,
    QuestionKind,
    Questionnaire,
    ReportPeriod,
    ReportStatus,
    SearchChoice,
    SponsorCheckin,
    periods_create_for_school_year,
)

# How many quarters before the open one have reports.
PAST_QUARTERS = 4

QUESTIONS = {
    "previous": [
        ("housing", "Êtes-vous satisfait·e de votre logement\u00a0?",
         "Are you happy with your housing?", QuestionKind.SCALE, "", True),
        ("summer_plans", "Que prévoyez-vous pour l'été\u00a0?",
         "What are your plans for the summer?", QuestionKind.LONG_TEXT, "", False),
    ],
    "current": [
        ("housing", "Êtes-vous satisfait·e de votre logement\u00a0?",
         "Are you happy with your housing?", QuestionKind.SCALE, "", True),
        ("scholarship_received", "Avez-vous reçu votre bourse pour cette année\u00a0?",
         "Have you received your grant for this year?", QuestionKind.YES_NO, "", False),
        ("workshop_wish", "Quel atelier vous aiderait le plus\u00a0?",
         "Which workshop would help you most?", QuestionKind.CHOICE,
         "cv | CV et lettre de motivation | CV and cover letter\n"
         "interview | Préparer un entretien | Interview practice\n"
         "network | Développer son réseau | Building a network", False),
    ],
}  # fmt: skip

STUDIES_COMMENTS = [
    "Le semestre se passe bien, je suis à jour dans les révisions.",
    "Les partiels approchent, j'ai du mal avec les mathématiques.",
    "Bonne dynamique avec mon groupe de travail.",
    "J'ai validé mon semestre avec mention.",
    "Beaucoup de travail personnel, je m'organise mieux qu'avant.",
]
NEXT_STEPS = [
    "Rencontrer deux professionnels du secteur avant les vacances.",
    "Mettre à jour mon CV et mon profil en ligne.",
    "Choisir ma spécialité l'an prochain, avec l'aide de ma marraine.",
    "Postuler à trois stages d'été.",
]
CIVIC_ACTIONS = [
    "Soutien scolaire auprès de collégiens, le mercredi.",
    "Bénévolat à la banque alimentaire du quartier.",
    "Tutorat d'étudiants de première année.",
    "Animation d'ateliers d'orientation dans mon ancien lycée.",
]
SEARCHES = [
    (SearchChoice.INTERNSHIP, "Finance d'entreprise", "Paris", 3,
     "Étudiant·e motivé·e, à l'aise avec les chiffres, cherche un stage de trois mois."),
    (SearchChoice.WORK_STUDY, "Développement logiciel", "Lyon", 12,
     "Je cherche une alternance pour ma dernière année, en développement web."),
    (SearchChoice.INTERNSHIP, "Santé publique", "Lille", 2,
     "Stage d'observation en milieu hospitalier ou en ARS."),
    (SearchChoice.JOB, "Conseil en stratégie", "Paris", None,
     "Jeune diplômé·e, premier emploi en conseil, disponible à la rentrée."),
    (SearchChoice.NOTHING, "", "", None, ""),
]  # fmt: skip
REVIEW_COMMENTS = [
    "RAS, bon trimestre.",
    "À suivre\u00a0: moral en baisse.",
    "Relancé par téléphone.",
]


@dataclass
class ReportsDemo:
    periods: list[ReportPeriod] = field(default_factory=list)
    current: ReportPeriod | None = None
    reports: int = 0


def seed(*, laureates: LaureatesDemo, today: datetime.date | None = None) -> ReportsDemo:
    """Seed periods, two questionnaire versions and reports for the active laureates."""
    today = today or timezone.localdate()
    rng = random.Random(2026)
    school_year = today.year if today.month >= 9 else today.year - 1
    previous = periods_create_for_school_year(start_year=school_year - 1)
    following = periods_create_for_school_year(start_year=school_year)
    periods = previous + following

    current = next(p for p in periods if (p.year, p.quarter) == _quarter_of(today))
    # The default opening (the quarter's last month) may be ahead: the demo needs it open.
    opens_on = min(datetime.date(current.year, current.quarter * 3 - 1, 15), today)
    ReportPeriod.objects.filter(pk=current.pk).update(opens_on=opens_on)
    current.opens_on = opens_on

    questionnaires = {
        "previous": _questionnaire(
            f"Rapport trimestriel {school_year - 1}-{school_year}", "previous"
        ),
        "current": _questionnaire(
            f"Rapport trimestriel {school_year}-{school_year + 1}", "current"
        ),
    }
    for period in periods:
        period.questionnaire = questionnaires["previous" if period in previous else "current"]
        ReportPeriod.objects.filter(pk=period.pk).update(questionnaire=period.questionnaire)

    ordered = sorted(periods, key=lambda p: (p.year, p.quarter))
    index = ordered.index(current)
    past = ordered[max(0, index - PAST_QUARTERS) : index]

    demo = ReportsDemo(periods=ordered, current=current)
    sponsored = set(Laureate.objects.with_current_sponsor().values_list("pk", flat=True))
    active = [laureate for laureate in laureates.laureates if laureate.status == Status.ACTIVE]
    for i, laureate in enumerate(active):
        is_demo = laureate == laureates.laureate
        profile = "steady" if is_demo else _profile(i)
        for n, period in enumerate(past):
            if period.opens_on <= laureate.joined_on:  # not owed (for_laureate)
                continue
            last = n == len(past) - 1
            if last and profile == "missing":
                ActivityReport.objects.filter(laureate=laureate, period=period).delete()
                continue
            answers = _answers(rng, laureate, profile if last or profile == "no_sponsor" else "")
            if profile == "drop" and not last:
                answers["studies_rating"] = 5
            if laureate.pk not in sponsored:
                answers.update(sponsor_met=False, sponsor_relationship=None)
            state = _past_state(n, len(past), profile, i)
            reviewer = laureate.referent or laureates.staff
            _put(laureate, period, answers, state, reviewer=reviewer, today=today)
            demo.reports += 1
        # The open quarter: the demo laureate has not started; others are at every stage.
        if is_demo or i % 4 == 0:
            ActivityReport.objects.filter(laureate=laureate, period=current).delete()
            continue
        answers = _answers(rng, laureate, "")
        state = "submitted" if i % 4 == 1 and (today - current.opens_on).days >= 2 else "draft"
        _put(laureate, current, answers, state, reviewer=None, today=today)
        demo.reports += 1
    if past:
        _seed_checkins(laureates, current=current, previous=past[-1], today=today)
    return demo


def _seed_checkins(laureates: LaureatesDemo, *, current, previous, today) -> None:
    """The sponsors' quarterly question (reports/checkins.py): the demo laureate's sponsor
    was asked about the open quarter and has not answered (the e-mail is in the console's
    outbox, its links withheld as a sign-in link's); another laureate's sponsor answered « not yet »
    about the last quarter, whose report says they met (the triage says the answers
    differ); a few sponsors answered « yes » to reports that say so."""
    SponsorCheckin.objects.filter(sponsorship__laureate=laureates.laureate, period=current).delete()
    sponsorship = (
        Sponsorship.objects.current()
        .select_related("sponsor", "laureate__user")
        .filter(laureate=laureates.laureate)
        .first()
    )
    if sponsorship is not None:
        message = checkin_message(sponsorship, current, expires_on=checkin_link_expires_on(current))
        subject, text, html = render_email(message.template, message.context)
        OutboxEmail.objects.get_or_create(
            key=message.key,
            defaults={
                "kind": message.kind,
                "to": message.to,
                "language": settings.LANGUAGE_CODE,
                "subject": subject[:300],
                "text": text,
                "html": html,
                "status": OutboxStatus.SENT,
                "sent_at": timezone.now(),
            },
        )
    # Sponsored laureates whose last quarter's report says they met their sponsor, and
    # who have not sent the open quarter's (so that report is the triage's latest).
    met = (
        Sponsorship.objects.current()
        .filter(
            laureate__status=Status.ACTIVE,
            laureate__reports__period=previous,
            laureate__reports__sponsor_met=True,
            laureate__reports__status__in=[ReportStatus.SUBMITTED, ReportStatus.REVIEWED],
        )
        .exclude(laureate=laureates.laureate)
        .exclude(
            Exists(
                ActivityReport.objects.filter(
                    laureate=OuterRef("laureate"),
                    period=current,
                    status__in=[ReportStatus.SUBMITTED, ReportStatus.REVIEWED],
                )
            )
        )
        .order_by("laureate__user__email")
    )
    for n, row in enumerate(met[:4]):
        answer = CheckinAnswer.NOT_YET if n == 0 else CheckinAnswer.MET
        note = "Pas encore trouvé de créneau, on se voit en début de mois." if n == 0 else ""
        SponsorCheckin.objects.update_or_create(
            sponsorship=row,
            period=previous,
            defaults={"answer": answer, "note": note, "answered_at": _answered_at(previous)},
        )


def _answered_at(period) -> datetime.datetime:
    day = period.due_on - datetime.timedelta(days=5)
    return datetime.datetime.combine(day, datetime.time(9, 0), timezone.get_current_timezone())


def _quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _questionnaire(name: str, which: str) -> Questionnaire:
    questionnaire, _ = Questionnaire.objects.get_or_create(name=name, version=1)
    for position, (key, label_fr, label_en, kind, choices, required) in enumerate(QUESTIONS[which]):
        Question.objects.update_or_create(
            questionnaire=questionnaire,
            key=key,
            defaults={
                "label_fr": label_fr,
                "label_en": label_en,
                "kind": kind,
                "choices": choices,
                "required": required,
                "position": position,
            },
        )
    return questionnaire


def _profile(i: int) -> str:
    """What staff should notice about this laureate in their latest report."""
    return [
        "steady",
        "low_studies",
        "stressed",
        "wants_contact",
        "no_sponsor",
        "missing",
        "late",
        "steady",
        "drop",
    ][i % 9]


def _answers(rng: random.Random, laureate: Laureate, profile: str) -> dict:
    kind, search_field, place, months, pitch = rng.choice(SEARCHES)
    answers = {
        "studies_rating": rng.choice([3, 4, 4, 5]),
        "studies_comment": rng.choice(STUDIES_COMMENTS),
        "exams": rng.choice([Exams.PASSED, Exams.PASSED, Exams.NONE_YET]),
        "repeated_year": False,
        "changed_track": False,
        "sponsor_met": True,
        "sponsor_meetings": rng.randint(1, 3),
        "sponsor_last_met_on": None,
        "sponsor_relationship": rng.choice([3, 4, 5]),
        "sponsor_comment": "",
        "project_progress": rng.choice([3, 4]),
        "project_next_steps": rng.choice(NEXT_STEPS),
        "civic_involvement": rng.choice([3, 4, 5]),
        "civic_actions": rng.choice(CIVIC_ACTIONS),
        "civic_hours": rng.choice([6, 10, 12, 20]),
        "placement_goes_on": None,
        "search_kind": kind,
        "search_field": search_field,
        "search_starts_on": None,
        "search_duration_months": months,
        "search_place": place,
        "search_pitch": pitch,
        "stress": rng.choice([1, 2, 2, 3]),
        "wants_contact": False,
        "wellbeing_note": "",
        "comment": "",
        "extra_answers": {"housing": rng.choice([3, 4, 5])},
    }
    if laureate.user.email == "laureate@example.org":
        answers.update(
            search_kind=SearchChoice.INTERNSHIP,
            search_field="Santé publique",
            search_place="Lille",
            search_duration_months=2,
            search_pitch="Stage d'observation en milieu hospitalier, l'été prochain.",
            project_next_steps="Rencontrer un médecin de santé publique avec ma marraine.",
            civic_actions="Soutien scolaire en SVT auprès de lycéens, deux fois par mois.",
        )
    if profile == "low_studies":
        answers.update(studies_rating=rng.choice([1, 2]), exams=Exams.PARTLY)
        answers["studies_comment"] = "J'ai raté deux partiels, je suis découragé·e."
    elif profile == "stressed":
        answers.update(stress=rng.choice([4, 5]), wellbeing_note="Je dors mal avant les examens.")
    elif profile == "wants_contact":
        answers.update(wants_contact=True, stress=3)
        answers["wellbeing_note"] = "J'aimerais parler de mon orientation."
    elif profile == "no_sponsor":
        answers.update(sponsor_met=False, sponsor_meetings=0, sponsor_relationship=None)
    elif profile in {"late", "drop"}:
        answers.update(project_progress=rng.choice([1, 2]), studies_rating=2)
    return answers


def _past_state(n: int, count: int, profile: str, i: int) -> str:
    if n < count - 2:
        return "reviewed"
    if n == count - 1 and profile == "late":
        return "late"
    if n == count - 1 and i % 9 == 7:
        return "draft"  # started, never submitted: overdue
    return "reviewed" if n == count - 2 and i % 2 == 0 else "submitted"


def _put(laureate, period, answers: dict, state: str, *, reviewer, today) -> None:
    """Write one report with exactly these answers and this state, however it was before."""
    tz = timezone.get_current_timezone()
    on_time = datetime.datetime.combine(
        period.due_on - datetime.timedelta(days=4), datetime.time(18, 30), tz
    )
    if not period.is_overdue(today):
        on_time = datetime.datetime.combine(
            period.opens_on + datetime.timedelta(days=1), datetime.time(18, 30), tz
        )
    late = datetime.datetime.combine(
        period.due_on + datetime.timedelta(days=6), datetime.time(21, 0), tz
    )
    if state == "late" and late.date() >= today:
        state = "submitted"  # too early in the quarter for a late report to exist yet
    submitted = state != "draft"
    fields = {
        **{name: answers[name] for name in ANSWER_FIELDS},
        "questionnaire": period.questionnaire,
        "extra_answers": answers["extra_answers"],
        "carried_over": [],
        "status": {
            "draft": ReportStatus.DRAFT,
            "reviewed": ReportStatus.REVIEWED,
        }.get(state, ReportStatus.SUBMITTED),
        "submitted_at": (late if state == "late" else on_time) if submitted else None,
        "is_late": state == "late",
        "reviewed_at": on_time + datetime.timedelta(days=10) if state == "reviewed" else None,
        "reviewed_by": reviewer if state == "reviewed" else None,
        "review_comment": (
            REVIEW_COMMENTS[(period.quarter + len(laureate.user.email)) % 3]
            if state == "reviewed"
            else ""
        ),
    }
    if fields["sponsor_met"]:
        fields["sponsor_last_met_on"] = period.opens_on - datetime.timedelta(days=20)
    else:
        fields["sponsor_meetings"] = 0
    report, created = ActivityReport.objects.get_or_create(
        laureate=laureate, period=period, defaults=fields
    )
    if not created:
        # ``update`` leaves ``updated_at`` alone: a second run changes nothing.
        ActivityReport.objects.filter(pk=report.pk).update(**fields)
