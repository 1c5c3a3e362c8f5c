"""The import benchmark: rows per second of a laureate file, on an empty database and on one
that already holds many accounts.

    make bench-imports                                   # SQLite scratch file
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/emergence_imports make bench-imports
    IMPORT_ROWS=2000 IMPORT_EXISTING=0,10000 make bench-imports

For each size of IMPORT_EXISTING (default 0 and 100,000 laureates with their accounts), it
empties a scratch database (never the project's), then imports a file of IMPORT_ROWS new
laureates (default 10,000; half of them with a referent, over ten promotions) twice: through
the resource, as a command would, and through the console's preview then confirm. It prints
the time, the rows per second and the queries of each.
"""

import io
import os
import sys
import time
import warnings
from pathlib import Path

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
warnings.filterwarnings("ignore", message="No directory at")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.db.utils import OperationalError  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from emergence import roles  # noqa: E402
from emergence.models import BackgroundJob, JobStatus  # noqa: E402
from emergence.spreadsheets import CSV, import_errors  # noqa: E402
from laureates.models import Laureate, Promotion  # noqa: E402
from laureates.resources import LaureateResource  # noqa: E402

ROWS = int(os.environ.get("IMPORT_ROWS", "10000"))
EXISTING = [int(n) for n in os.environ.get("IMPORT_EXISTING", "0,100000").split(",")]
BATCH = 5000
User = get_user_model()


def reset_database() -> None:
    """An empty, migrated scratch database."""
    if connection.vendor == "sqlite":
        Path(connection.settings_dict["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        Path(connection.settings_dict["NAME"]).unlink(missing_ok=True)
    else:
        try:
            connection.ensure_connection()
        except OperationalError:
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{connection.settings_dict["NAME"]}"')
    call_command("migrate", verbosity=0, interactive=False)
    if connection.vendor != "sqlite":
        call_command("flush", verbosity=0, interactive=False)
        roles.roles_sync()


def build(existing: int) -> None:
    """A referent, a superuser for the console, and ``existing`` laureates with accounts."""
    hashed = make_password("bench-password")
    User.objects.create(
        email="referent@bench.example.org", is_staff=True, first_name="Paul", password=hashed
    )
    User.objects.create(
        email="staff@bench.example.org", is_staff=True, is_superuser=True, password=hashed
    )
    promotions = Promotion.objects.bulk_create(Promotion(year=2010 + n) for n in range(10))
    for start in range(0, existing, BATCH):
        users = User.objects.bulk_create(
            User(
                email=f"Existing{n}@bench.example.org",
                first_name="Déjà",
                last_name=f"Là {n}",
                password=hashed,
            )
            for n in range(start, min(start + BATCH, existing))
        )
        Laureate.objects.bulk_create(
            Laureate(user=user, promotion=promotions[n % 10], track="prepa", study_year=1)
            for n, user in enumerate(users)
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def laureate_file(rows: int) -> bytes:
    """A file as Excel in France writes it: new laureates, half of them with a referent."""
    lines = ["E-mail;Prénom;Nom;Promotion;Filière;Année d'études;École;Ville;Référent;Entrée le"]
    for n in range(rows):
        referent = "referent@bench.example.org" if n % 2 else ""
        lines.append(
            f"Nouveau{n}@bench.example.org;Inès;Nouvelle {n};{2012 + n % 10};prépa;"
            f"{1 + n % 5};Lycée {n % 40};Lille;{referent};01/09/2024"
        )
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def through_the_resource(content: bytes) -> tuple[float, float, int]:
    """Wall time, this process's CPU time (what a busy machine does not inflate as much),
    and the queries."""
    with CaptureQueriesContext(connection) as queries:
        started, cpu = time.perf_counter(), time.process_time()
        result = LaureateResource().import_data(CSV().create_dataset(content), dry_run=False)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert import_errors(result) == [], import_errors(result)[:3]
    return elapsed, cpu, len(queries)


def through_the_console(content: bytes) -> tuple[float, float, int, int]:
    """The preview then the confirmation, as a staff member does them. A file of more than
    BACKGROUND_IMPORT_ROWS rows goes to the worker (eager here: the job runs when the
    request that starts it commits); also returns the preview page's size in bytes."""
    client = Client()
    client.force_login(User.objects.get(email="staff@bench.example.org"))
    upload = io.BytesIO(content)
    upload.name = "laureates.csv"
    with CaptureQueriesContext(connection) as queries:
        started, cpu = time.perf_counter(), time.process_time()
        preview = client.post(
            "/admin/laureates/laureate/import/",
            {"resource": "0", "format": "0", "import_file": upload},
        )
        if preview.status_code == 302:  # to the background job's page
            job = BackgroundJob.objects.filter(kind="console-import-preview").latest("pk")
            assert job.status == JobStatus.DONE and job.result.get("confirm_url"), job.result
            preview = client.get(preview["Location"])
            confirm = client.post(job.result["confirm_url"], {"confirm": ""})
            assert confirm.status_code == 302, confirm.status_code
            imported = BackgroundJob.objects.filter(kind="console-import").latest("pk")
            assert imported.status == JobStatus.DONE, (imported.status, imported.error)
        else:
            context = preview.context or {}
            assert "confirm_form" in context, (
                preview.status_code,
                context.get("import_problems", [])[:3],
                context.get("form") and context["form"].errors,
                preview.content[:300],
            )
            confirm = client.post(
                "/admin/laureates/laureate/process_import/",
                preview.context["confirm_form"].initial,
            )
            assert confirm.status_code == 302, confirm.status_code
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return elapsed, cpu, len(queries), len(preview.content)


def clear_imported() -> None:
    Laureate.objects.filter(user__email__startswith="nouveau").delete()
    User.objects.filter(email__startswith="nouveau").delete()
    Laureate.history.model.objects.all().delete()
    User.history.model.objects.all().delete()


def main() -> int:
    setup_test_environment()  # the test client keeps each response's context
    content = laureate_file(ROWS)
    print(
        f"Import of {ROWS:,} new laureates ({len(content) / 1e6:.1f} MB CSV), "
        f"database: {connection.vendor}"
    )
    print(f"{'existing':>9}  {'path':<26} {'seconds':>8} {'rows/s':>8} {'CPU s':>6} {'queries':>8}")
    for existing in EXISTING:
        reset_database()
        build(existing)
        seconds, cpu, queries = through_the_resource(content)
        print(
            f"{existing:>9,}  {'resource (command)':<26} {seconds:>8.2f} "
            f"{ROWS / seconds:>8,.0f} {cpu:>6.2f} {queries:>8}",
            flush=True,
        )
        clear_imported()
        seconds, cpu, queries, page = through_the_console(content)
        print(
            f"{existing:>9,}  {'console: preview + confirm':<26} {seconds:>8.2f} "
            f"{ROWS / seconds:>8,.0f} {cpu:>6.2f} {queries:>8}   preview page {page / 1e3:,.0f} kB",
            flush=True,
        )
        reset_queries()
    return 0


if __name__ == "__main__":
    sys.exit(main())
