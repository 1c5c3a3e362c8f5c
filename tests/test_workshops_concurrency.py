"""Capacity holds when many laureates register at the same moment (PostgreSQL only).

SQLite serialises writers on its own and select_for_update is a no-op there, so the test
proves nothing on it: it runs on PostgreSQL, as in CI.
"""

import threading

import pytest
from django.db import connection, connections

from tests.workshops_factories import MedicineLaureateFactory, SessionFactory, paris
from workshops.models import Registration
from workshops.services import workshop_register

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL's row locks"
)


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_exceed_the_capacity(time_machine):
    time_machine.move_to(paris(2026, 11, 20, 10, 0))
    session = SessionFactory(capacity=3)
    laureates = MedicineLaureateFactory.create_batch(12)
    start = threading.Barrier(len(laureates))
    errors = []

    def register(laureate):
        try:
            start.wait()
            workshop_register(session=session, laureate=laureate)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(laureate,)) for laureate in laureates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    statuses = list(Registration.objects.filter(session=session).values_list("status", flat=True))
    assert sorted(statuses).count("confirmed") == 3
    assert statuses.count("waiting") == 9
