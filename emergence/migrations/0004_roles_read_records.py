"""Give the staff roles the permissions of the read records ("who looked") of reports: the
programme lead gets every permission of the reports app, ``reports.ReportRead``'s too.

The same code as 0003: permissions are created first (``post_migrate`` comes after every
migration), then the roles are synced with ``emergence.roles.STAFF_ROLES``.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def sync_roles(apps, schema_editor):
    from emergence.roles import roles_sync

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles_sync(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("emergence", "0003_staff_roles"),
        ("reports", "0004_question_confidential_and_read_records"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
