"""Sign-in: the programme lead sees sign-in lockouts (django-axes) and unlocks them; and the
user's session version, which "sign out everywhere" raises to end every session.

The roles part is the same code as 0003: permissions are created first (``post_migrate``
comes after every migration), then the roles are synced with ``emergence.roles.STAFF_ROLES``.
"""

from django.db import migrations, models

from emergence.roles import roles_migrate




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
        migrations.RunPython(roles_migrate, migrations.RunPython.noop),
    ]
