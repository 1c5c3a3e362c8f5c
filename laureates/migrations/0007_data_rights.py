"""The day a laureate left the programme, which the retention of their data counts from.

Laureates who had already left get the best date there is: the latest of their last
follow-up, the end of their last sponsorship, their last consent decision and the day they
joined (the reports, in a higher app, are not read here).
"""

import datetime

from django.db import migrations, models
from django.db.models import Max


def fill_left_on(apps, schema_editor):
    Laureate = apps.get_model("laureates", "Laureate")
    left = Laureate.objects.filter(status="left", left_on__isnull=True).annotate(
        last_follow_up=Max("follow_ups__date"),
        last_sponsorship=Max("sponsorships__ended_on"),
        last_consent=Max("partner_consents__given_at"),
        last_withdrawal=Max("partner_consents__withdrawn_at"),
    )
    for laureate in left.iterator(chunk_size=500):
        days = [
            laureate.joined_on,
            laureate.last_follow_up,
            laureate.last_sponsorship,
            *(
                moment.date()
                for moment in (laureate.last_consent, laureate.last_withdrawal)
                if isinstance(moment, datetime.datetime)
            ),
        ]
        Laureate.objects.filter(pk=laureate.pk).update(
            left_on=max(day for day in days if day is not None)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("laureates", "0006_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicallaureate",
            name="left_on",
            field=models.DateField(
                blank=True,
                help_text="Filled in with today's date when the status becomes “left the programme”; correct it if they left earlier. Their data is erased 3 years after it.",
                null=True,
                verbose_name="left the programme on",
            ),
        ),
        migrations.AddField(
            model_name="laureate",
            name="left_on",
            field=models.DateField(
                blank=True,
                help_text="Filled in with today's date when the status becomes “left the programme”; correct it if they left earlier. Their data is erased 3 years after it.",
                null=True,
                verbose_name="left the programme on",
            ),
        ),
        migrations.RunPython(fill_left_on, migrations.RunPython.noop),
    ]
