"""Erasing or deleting a person is never blocked by a row that points at them: the partner
views log keeps its rows without the viewer or the laureate, and an introduction keeps its
row without the member who asked."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("laureates", "0004_partner_consent_and_placement"),
        ("partners", "0004_introduction_laureate_answer"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="introduction",
            name="requested_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="introductions_requested",
                to=settings.AUTH_USER_MODEL,
                verbose_name="requested by",
            ),
        ),
        migrations.AlterField(
            model_name="partnerviewlog",
            name="laureate",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="partner_views",
                to="laureates.laureate",
                verbose_name="laureate",
            ),
        ),
        migrations.AlterField(
            model_name="partnerviewlog",
            name="user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="partner_views",
                to=settings.AUTH_USER_MODEL,
                verbose_name="viewed by",
            ),
        ),
    ]
