"""The staff roles (Direction du programme, Référent·e, Ateliers, Entreprises) as groups.

Permissions are created by ``post_migrate``, after every migration: on a fresh database they
do not exist yet here, so they are created first, for every app, from the historical models.
"""

from django.db import migrations

from emergence.roles import roles_migrate




class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("emergence", "0002_outbox"),
        ("laureates", "0004_partner_consent_and_placement"),
        ("reports", "0003_confidential_permissions"),
        ("workshops", "0001_initial"),
        ("partners", "0003_company_active_and_referral_job_labels"),
    ]

    operations = [migrations.RunPython(roles_migrate, migrations.RunPython.noop)]
