"""Factories for the workshop tests: a médecine series, its key dates and sessions."""

import datetime
from zoneinfo import ZoneInfo

import factory

from emergence import roles
from laureates.models import Track
from tests.factories import LaureateFactory, RoleStaffFactory
from workshops.models import KeyDate, Moment, Registration, Session, WorkshopSeries

PARIS = ZoneInfo("Europe/Paris")


def paris(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=PARIS)


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkshopSeries
        skip_postgeneration_save = True

    school_year = "2026-2027"
    track = Track.MEDICINE
    lead = factory.SubFactory(RoleStaffFactory, role=roles.WORKSHOPS)

    @factory.post_generation
    def animators(series, create, extracted, **kwargs):
        """A senior laureate of the track animates it (a series without one cannot be
        published); ``animators=[...]`` names others, ``animators=[]`` none."""
        if not create:
            return
        if extracted is None:
            extracted = [
                LaureateFactory(track=series.track, study_year=series.audience_to_year + 2)
            ]
        series.animators.set(extracted)


class KeyDateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyDate

    track = Track.MEDICINE
    school_year = "2026-2027"
    kind = Moment.MIDTERM_EXAMS
    label = "Partiels PASS du premier semestre"
    date = datetime.date(2027, 1, 12)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    series = factory.SubFactory(SeriesFactory)
    moment = Moment.MIDTERM_EXAMS
    theme = "Réviser sans s'épuiser"
    starts_at = paris(2026, 12, 12, 14, 0)
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + datetime.timedelta(hours=3))
    place = "Maison des étudiants, Lille"
    capacity = 20
    published_at = paris(2026, 11, 1, 9, 0)


class MedicineLaureateFactory(LaureateFactory):
    track = Track.MEDICINE
    study_year = 1
    school = "Faculté de médecine de Lille"


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    session = factory.SubFactory(SessionFactory)
    laureate = factory.SubFactory(MedicineLaureateFactory)
    status = "confirmed"
