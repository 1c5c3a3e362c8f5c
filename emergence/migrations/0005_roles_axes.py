"""Sign-in: the programme lead sees sign-in lockouts (django-axes) and unlocks them; and the
user's session version, which "sign out everywhere" raises to end every session.

The roles part is the same code as 0003: permissions are created first (``post_migrate``
comes after every migration), then the roles are synced with ``emergence.roles.STAFF_ROLES``.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models


def sync_roles(apps, schema_editor):
    from emergence.roles import roles_sync

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles_sync(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("emergence", "0004_roles_read_records"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="session_version",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="session version"
            ),
        ),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
