"""The migration that adds the partners' folded search text fills it for the searches that
already exist, so that « sante » finds them from the first request after the upgrade."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("laureates", "0004_partner_consent_and_placement")]
AFTER = [("laureates", "0005_search_text")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_search_text_of_existing_searches():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(BEFORE)
        # The accounts as far as they are still applied: their app goes back with laureates
        # only where its later migrations depend on laureates' (a role for a new model).
        applied = MigrationExecutor(connection).loader.applied_migrations
        accounts = [max(node for node in applied if node[0] == "emergence")]
        apps = executor.loader.project_state(BEFORE + accounts).apps
        user = apps.get_model("emergence", "User").objects.create(
            email="helene@example.org", first_name="Hélène", last_name="Œuvray"
        )
        promotion = apps.get_model("laureates", "Promotion").objects.create(year=2024)
        laureate = apps.get_model("laureates", "Laureate").objects.create(
            user=user, promotion=promotion, track="medecine", school="Faculté de Santé"
        )
        apps.get_model("laureates", "Search").objects.create(
            laureate=laureate, kind="internship", field="Pédiatrie", place="Créteil"
        )

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        apps = executor.loader.project_state(AFTER).apps
        search = apps.get_model("laureates", "Search").objects.get()
        assert search.search_text.split("\n") == [
            "helene",
            "oeuvray",
            "faculte de sante",
            "pediatrie",
            "creteil",
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(leaves)
