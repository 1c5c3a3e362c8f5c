"""On PostgreSQL, a trigram index of the shared searches' folded text: the partners'
dashboard's text search (``search_text LIKE '%word%'``, one per word) reads it instead of
every open search. Other databases have no such index and search as before."""

from django.db import migrations

INDEX = "search_shared_text"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON laureates_search "
        "USING gin (search_text gin_trgm_ops) "
        "WHERE closed_on IS NULL AND shared_consent_until IS NOT NULL"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("laureates", "0013_dashboard_sort_indexes")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
