from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("emergence", "0008_roles_offers"),
    ]

    operations = [
        migrations.CreateModel(
            name="Heartbeat",
            fields=[
                (
                    "name",
                    models.CharField(
                        max_length=20, primary_key=True, serialize=False, verbose_name="name"
                    ),
                ),
                ("at", models.DateTimeField(verbose_name="last seen")),
            ],
            options={
                "verbose_name": "heartbeat",
                "verbose_name_plural": "heartbeats",
            },
        ),
    ]
