"""Partnerships staff (Entreprises) post, edit and close partner offers for any company.

The same code as 0003: the roles are synced with ``emergence.roles.STAFF_ROLES``.
"""

from django.db import migrations

from emergence.roles import roles_migrate


class Migration(migrations.Migration):
    dependencies = [
        ("emergence", "0007_history"),
        ("partners", "0007_offers_and_placement_links"),
    ]

    operations = [migrations.RunPython(roles_migrate, migrations.RunPython.noop)]
