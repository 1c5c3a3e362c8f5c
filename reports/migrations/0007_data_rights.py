"""Deleting a laureate is never blocked by the read records ("who looked") that point at
them: the records stay, without the laureate."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("laureates", "0004_partner_consent_and_placement"),
        ("reports", "0006_report_version"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reportread",
            name="laureate",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="report_reads",
                to="laureates.laureate",
                verbose_name="laureate",
            ),
        ),
    ]
