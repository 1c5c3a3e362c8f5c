"""Each search keeps the end of its laureate's open consent while their status lets partners
see them (Search.shared_consent_until), so that the partners' dashboard counts the shared
searches from one partial index instead of joining the consents on each request."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

# As laureates.models.SHOWN_TO_PARTNERS was when this migration was written.
SHOWN_TO_PARTNERS = ("active", "alumni")


def fill_shared_consent_until(apps, schema_editor):
    """What laureates.models.search_sharing_refresh() writes, for the searches already there."""
    Search = apps.get_model("laureates", "Search")
    PartnerConsent = apps.get_model("laureates", "PartnerConsent")
    open_consent = PartnerConsent.objects.filter(
        laureate_id=OuterRef("laureate_id"),
        laureate__status__in=SHOWN_TO_PARTNERS,
        withdrawn_at__isnull=True,
        replaced_at__isnull=True,
    )
    Search.objects.update(shared_consent_until=Subquery(open_consent.values("expires_on")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("laureates", "0011_changelist_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="search",
            name="shared_consent_until",
            field=models.DateField(
                blank=True, editable=False, null=True, verbose_name="shared with partners until"
            ),
        ),
        # Filled before the index is built: one pass, no index to maintain meanwhile.
        migrations.RunPython(fill_shared_consent_until, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name="search",
            index=models.Index(
                condition=models.Q(closed_on__isnull=True, shared_consent_until__isnull=False),
                fields=["shared_consent_until", "confirmed_on"],
                include=("kind", "field"),
                name="search_shared_until",
            ),
        ),
    ]
