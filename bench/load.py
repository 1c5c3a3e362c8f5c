"""`make load`: the main pages under 20 concurrent users, served as in production.

    make load                                   # 100,000 laureates, 20 users, 30 s per page
    LOAD_LAUREATES=2000 LOAD_SECONDS=10 make load
    LOAD_REUSE=1 make load                      # serve and measure the database already loaded

It loads LOAD_LAUREATES laureates into a scratch PostgreSQL database (LOAD_DATABASE_URL, never
the project's) with the bench's builders (bench/run.py), counts the staff overview as the
night's job does, runs the Procfile's release (migrate, collectstatic) then its web process
(gunicorn, gunicorn.conf.py) through honcho with DEBUG off as `make serve` does, and drives
each page with Locust in headless mode (bench/locustfile.py): LOAD_USERS signed-in users for
LOAD_SECONDS, /healthz first, the floor every page is read against. It prints p50, p95 and
errors per page and writes bench/out/load.json; the server's log is bench/out/load-server.log.
"""

import datetime
import json
import os
import platform
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import dj_database_url

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get(
    "LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/emergence_load"
)
LAUREATES = int(os.environ.get("LOAD_LAUREATES", "100000"))
USERS = int(os.environ.get("LOAD_USERS", "20"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "30"))
REUSE = os.environ.get("LOAD_REUSE", "").lower() in {"1", "true", "yes"}
PORT = int(os.environ.get("LOAD_PORT", "8100"))
# The web process reads its broker and cache from here, as in production (/healthz pings it).
BROKER_URL = os.environ.get("LOAD_BROKER_URL", "redis://127.0.0.1:6379/9")
# Signing in, warming up and Locust's own start, on top of each page's LOAD_SECONDS.
PAGE_ALLOWANCE = 300

if dj_database_url.parse(DATABASE_URL)["ENGINE"] != "django.db.backends.postgresql":
    sys.exit("make load needs PostgreSQL: LOAD_DATABASE_URL=postgres://...")
if os.environ.get("DATABASE_URL") and dj_database_url.parse(
    os.environ["DATABASE_URL"]
) == dj_database_url.parse(DATABASE_URL):
    sys.exit("LOAD_DATABASE_URL is the project's DATABASE_URL: make load empties it, refused.")

# The bench's builders and pages, on the scratch database: set before bench.run sets Django up.
os.environ["BENCH_DATABASE_URL"] = DATABASE_URL
os.environ.pop("BENCH_PAGES", None)
sys.path.insert(0, str(ROOT))

from django.db import connection  # noqa: E402
from django.db.utils import OperationalError, ProgrammingError  # noqa: E402

from bench import run as bench  # noqa: E402
from bench.fault_reminders import stop_worker  # noqa: E402
from emergence.overview_snapshots import overview_snapshots_refresh  # noqa: E402
from laureates.models import Laureate  # noqa: E402
from reports.triage import triage_refresh  # noqa: E402

OUT = bench.OUT
# bench/run.py gives every account it builds this password.
PASSWORD = "bench-password"
# The pages of bench/run.py's PAGES driven by default, by name (LOAD_PAGES="name;name" to
# choose others, separated by semicolons as names hold commas; the health check always
# comes first).
DEFAULT_PAGES = [
    "laureate home",
    "laureate report list",
    "partner dashboard",
    "admin laureate list",
    "admin triage list, needs attention",
    "admin report list",
    "admin overview",
]
GOAL = 10  # a paged page's p95 at most this many times /healthz's p95 (issue 16)


def load_pages() -> list[bench.Page]:
    names = [name.strip() for name in os.environ.get("LOAD_PAGES", "").split(";") if name.strip()]
    by_name = {page.name: page for page in bench.PAGES}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        sys.exit(f"LOAD_PAGES: no page named {unknown} in bench/run.py's PAGES")
    pages = [by_name["health check"]]
    pages += [by_name[name] for name in names or DEFAULT_PAGES if name != "health check"]
    for page in pages:
        if page.data is not None or "{" in page.path:
            sys.exit(f"make load drives GET pages with a fixed path, not {page.name!r}")
    return pages


def laureates_loaded() -> int:
    """The laureates of a database the bench built, or 0 (missing or empty database)."""
    try:
        if not bench.User.objects.filter(email="partner@bench.example.org").exists():
            return 0
        return Laureate.objects.count()
    except (OperationalError, ProgrammingError):  # no database, or never migrated
        connection.close()
        return 0


def build(n: int) -> None:
    """bench/run.py's main() for one size: N laureates with their reports, searches,
    workshops and offers, the stored triage scores, and the planner's statistics."""
    started = time.perf_counter()
    steps = [
        ("empty database", bench.reset_database),
        ("promotions, staff, companies", bench.build_base),
        ("laureates", lambda: bench.add_laureates(1, n)),
        ("searches and consents", lambda: bench.add_partner_data(1, n)),
        ("workshops", bench.add_workshops),
        ("offers", bench.add_offers),
        ("reports", lambda: bench.add_reports(1, n)),
        ("triage scores", triage_refresh),
    ]
    for label, step in steps:
        t = time.perf_counter()
        step()
        print(f"  {label}: {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"built {n:,} laureates in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def serve_env() -> dict[str, str]:
    """`make serve`'s environment (Makefile, SERVE_ENV), on the scratch database."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        PATH=f"{ROOT / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        DEBUG="false",
        DATABASE_URL=DATABASE_URL,
        CELERY_BROKER_URL=BROKER_URL,
        SECRET_KEY="local-make-load-only-not-a-production-secret-0123456789",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        EMAIL_URL="file:///sent-emails",
        # Staff sign in with their password only: the bench's staff have no second factor.
        STAFF_MFA_REQUIRED="false",
    )
    env.pop("CACHE_URL", None)
    return env


def start_server(env: dict[str, str], log) -> subprocess.Popen:
    honcho = str(ROOT / ".venv" / "bin" / "honcho")
    t = time.perf_counter()
    subprocess.run(
        [honcho, "start", "--no-colour", "release"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        check=True,
    )
    print(f"release (migrate, collectstatic): {time.perf_counter() - t:.0f} s", file=sys.stderr)
    # A session of its own: Ctrl-C reaches this script, which stops the server itself.
    return subprocess.Popen(
        [honcho, "start", "--no-colour", "--port", str(PORT), "web"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_healthy(server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped (see {OUT / 'load-server.log'})")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise RuntimeError(f"/healthz did not answer 200 within {timeout:.0f} s")


def server_memory_mb(server: subprocess.Popen) -> list[float]:
    """Resident memory of each gunicorn worker (psutil comes with Locust)."""
    import psutil

    processes = psutil.Process(server.pid).children(recursive=True)
    # The workers: gunicorn's processes without children of their own (not the arbiter).
    workers = [p for p in processes if "gunicorn" in " ".join(p.cmdline()) and not p.children()]
    return [round(p.memory_info().rss / 2**20, 1) for p in workers]


def drive(page: bench.Page, email: str, slug: str) -> dict:
    """LOAD_USERS users on one page for LOAD_SECONDS; Locust's figures for it."""
    result = OUT / f"load-{slug}.json"
    result.unlink(missing_ok=True)
    env = serve_env()
    env.update(
        LOAD_PATH=page.path,
        LOAD_NAME=page.name,
        LOAD_EMAIL=email,
        LOAD_PASSWORD=PASSWORD,
        LOAD_SECONDS=str(SECONDS),
        LOAD_RESULT=str(result),
    )
    # Locust quits once every user has measured LOAD_SECONDS; --run-time is a safety net.
    log = OUT / f"load-{slug}.log"
    with log.open("w") as output:
        subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "locust"),
                "--locustfile",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--host",
                f"http://127.0.0.1:{PORT}",
                "--users",
                str(USERS),
                "--spawn-rate",
                str(USERS),
                "--run-time",
                f"{SECONDS + PAGE_ALLOWANCE}s",
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,  # Locust exits 1 when a request failed: the figures say which
        )
    if not result.exists():
        raise RuntimeError(f"Locust wrote no figures for {page.name!r}: see {log}")
    figures = json.loads(result.read_text())
    stats = figures["stats"].get(page.name, {"requests": 0, "failures": 0})
    # Signing in and the warm-up request fail too when the page is broken: counted as errors.
    other_failures = sum(
        entry["failures"] for name, entry in figures["stats"].items() if name != page.name
    )
    return {
        "page": page.name,
        "path": page.path,
        "as_user": page.as_user,
        "requests": stats["requests"],
        "requests_per_s": round(stats["requests"] / SECONDS, 1),
        "p50_ms": stats.get("p50_ms"),
        "p95_ms": stats.get("p95_ms"),
        "max_ms": stats.get("max_ms"),
        "errors": stats["failures"] + other_failures,
        "failures": [
            f"{error['occurrences']}× {error['name']}: {error['error']}"
            for error in figures["errors"]
        ],
    }


def print_table(results: list[dict], laureates: int) -> None:
    width = max(len(row["page"]) for row in results) + 2
    print(
        f"\n{USERS} users for {SECONDS} s per page, {laureates:,} laureates, "
        f"gunicorn {os.environ.get('WEB_CONCURRENCY', '4')} sync workers, DEBUG off"
    )
    print(
        f"{'page':<{width}}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'errors':>8}{'p95/healthz':>13}"
    )
    for row in results:
        ratio = row.get("p95_vs_healthz")
        mark = (
            ""
            if ratio is None or row["path"] == "/healthz"
            else ("  ok" if ratio <= GOAL else f"  > {GOAL}×")
        )
        p50 = "-" if row["p50_ms"] is None else f"{row['p50_ms']:.0f}"
        p95 = "-" if row["p95_ms"] is None else f"{row['p95_ms']:.0f}"
        print(
            f"{row['page']:<{width}}{row['requests']:>9}{row['requests_per_s']:>8.1f}"
            f"{p50:>9}{p95:>9}{row['errors']:>8}"
            f"{'-' if ratio is None else f'{ratio:.1f}×':>13}{mark}"
        )
        for failure in row["failures"][:3]:
            print(f"    {failure}")


def main() -> int:
    started = time.perf_counter()
    pages = load_pages()
    with socket.socket() as probe:
        # Another server there would answer the health check and the pages in our place.
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            sys.exit(f"Port {PORT} is in use: LOAD_PORT=another make load")
    OUT.mkdir(parents=True, exist_ok=True)
    loaded = laureates_loaded() if REUSE else 0
    if loaded:
        print(f"reusing {DATABASE_URL}: {loaded:,} laureates", file=sys.stderr)
    else:
        print(f"building {LAUREATES:,} laureates in {DATABASE_URL}", file=sys.stderr, flush=True)
        build(LAUREATES)
    laureates = Laureate.objects.count()
    # The staff overview is counted at night (overview-snapshots): count it as that job would.
    overview_snapshots_refresh()
    emails = {name: user().email for name, user in bench.USERS.items()}
    connection.close()

    results: list[dict] = []
    load_before = os.getloadavg()
    with (OUT / "load-server.log").open("w") as log:
        server = None
        try:
            server = start_server(serve_env(), log)
            wait_healthy(server)
            for page in pages:
                slug = page.name.replace(",", "").replace(" ", "-")
                print(f"{page.name}: {page.path}", file=sys.stderr, flush=True)
                results.append(drive(page, emails.get(page.as_user, ""), slug))
            memory = server_memory_mb(server)
        finally:
            if server is not None:
                stop_worker(server)  # any process group: TERM, KILL after 30 s

    floor = results[0]["p95_ms"] if results and results[0]["path"] == "/healthz" else None
    for row in results:
        if floor and row["p95_ms"] is not None:
            row["p95_vs_healthz"] = round(row["p95_ms"] / floor, 1)
    print_table(results, laureates)
    report = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": f"{platform.node()}, {os.cpu_count()} cores, {platform.platform()}",
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "laureates": laureates,
        "users": USERS,
        "seconds_per_page": SECONDS,
        "web_concurrency": int(os.environ.get("WEB_CONCURRENCY", "4")),
        "worker_memory_mb": memory,
        "healthz_p95_ms": floor,
        "goal": f"p95 <= {GOAL} x /healthz p95, 0 errors",
        "results": results,
    }
    (OUT / "load.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nworkers' memory: {', '.join(f'{mb:.0f} MB' for mb in memory)}")
    print(f"JSON: {OUT / 'load.json'}  ({time.perf_counter() - started:.0f} s in all)")
    return 1 if any(row["errors"] for row in results) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # the server is stopped by then (main's finally)
        sys.exit("\ninterrupted")
