"""The folded search text of every search, so that partners find « santé » by « sante »."""

import unicodedata

from django.db import migrations, models

# A copy of laureates.models.search_fold as it was when this migration was written: a
# migration must not change when the model's code does.
_FOLDED_LETTERS = str.maketrans(
    {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "’": "'", "‘": "'"}
)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold().translate(_FOLDED_LETTERS))
    return "".join(char for char in text if not unicodedata.combining(char))


def fill_search_text(apps, schema_editor):
    Search = apps.get_model("laureates", "Search")
    batch = []
    searches = Search.objects.select_related("laureate__user").only(
        "field",
        "place",
        "pitch",
        "laureate__school",
        "laureate__user__first_name",
        "laureate__user__last_name",
    )
    for search in searches.iterator(chunk_size=2000):
        user = search.laureate.user
        values = (
            user.first_name,
            user.last_name,
            search.laureate.school,
            search.field,
            search.place,
            search.pitch,
        )
        search.search_text = _fold("\n".join(value for value in values if value))
        batch.append(search)
        if len(batch) == 2000:
            Search.objects.bulk_update(batch, ["search_text"])
            batch = []
    Search.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("laureates", "0004_partner_consent_and_placement"),
    ]

    operations = [
        migrations.AddField(
            model_name="search",
            name="search_text",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="search text"
            ),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop, elidable=True),
    ]
