"""Give the staff roles the permissions of the read records ("who looked") of reports: the
programme lead gets every permission of the reports app, ``reports.ReportRead``'s too.

The same code as 0003: permissions are created first (``post_migrate`` comes after every
migration), then the roles are synced with ``emergence.roles.STAFF_ROLES``.
"""

from django.db import migrations

from emergence.roles import roles_migrate




class Migration(migrations.Migration):
    dependencies = [
        ("emergence", "0003_staff_roles"),
        ("reports", "0004_question_confidential_and_read_records"),
    ]

    operations = [migrations.RunPython(roles_migrate, migrations.RunPython.noop)]
