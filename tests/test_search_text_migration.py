"""The migration that adds the partners' folded search text fills it for the searches that
already exist, so that « sante » finds them from the first request after the upgrade.

Its data step runs here on today's tables, with the text emptied as it was before the
upgrade: migrating the whole project back to 0004 and forward again to test it took 40 s of
each suite for a migration every installation has long applied."""

import importlib

import pytest
from django.apps import apps

from laureates.models import Search
from tests.factories import LaureateFactory

pytestmark = pytest.mark.django_db

fill_search_text = importlib.import_module("laureates.migrations.0005_search_text").fill_search_text


def test_the_migration_fills_the_search_text_of_existing_searches():
    laureate = LaureateFactory(
        user__first_name="Hélène",
        user__last_name="Œuvray",
        track="medecine",
        school="Faculté de Santé",
    )
    Search.objects.create(laureate=laureate, kind="internship", field="Pédiatrie", place="Créteil")
    Search.objects.update(search_text="")  # as the rows were before the field existed

    fill_search_text(apps, schema_editor=None)

    assert Search.objects.get().search_text.split("\n") == [
        "helene",
        "oeuvray",
        "faculte de sante",
        "pediatrie",
        "creteil",
    ]
