"""Locust's users for `make load` (bench/load.py runs it once per page).

Each user signs in through the login form as LOAD_EMAIL (anonymous when empty), requests
LOAD_PATH once to warm up, waits until every user has done the same, then requests LOAD_PATH
again and again for LOAD_SECONDS and stops the run. Only those requests count under the
page's name (LOAD_NAME); a page answers 200 or it is an error (a redirect to the login page
included). The figures go to LOAD_RESULT, a JSON file, when it is set.

    LOAD_PATH=/partners/ LOAD_EMAIL=partner@bench.example.org LOAD_SECONDS=30 \\
        .venv/bin/locust -f bench/locustfile.py --headless --host http://127.0.0.1:8100 -u 20 -r 20
"""

import json
import os
from http.cookiejar import DefaultCookiePolicy

import gevent
from gevent.event import Event
from locust import HttpUser, constant, events, task

PATH = os.environ.get("LOAD_PATH", "/healthz")
NAME = os.environ.get("LOAD_NAME", PATH)
EMAIL = os.environ.get("LOAD_EMAIL", "")
PASSWORD = os.environ.get("LOAD_PASSWORD", "bench-password")
SECONDS = float(os.environ.get("LOAD_SECONDS", "30"))

# Every user is in (signed in, warmed up): the measured window starts.
all_in = Event()
users_in = 0


def _secure_cookies_over_plain_http(self, cookie, request) -> bool:
    return True


# With DEBUG off the site's cookies are Secure. Browsers send them to http://localhost, which
# they hold for a secure context; requests does not, and copies the session's cookies into a
# jar of the default policy for each request, so the policy itself is told (in this process).
DefaultCookiePolicy.return_ok_secure = _secure_cookies_over_plain_http


@events.test_start.add_listener
def _reset(environment, **kwargs) -> None:
    global users_in
    users_in = 0
    all_in.clear()


@events.test_stop.add_listener
def _write_result(environment, **kwargs) -> None:
    """The final figures of every request name, and the errors, into LOAD_RESULT (JSON):
    Locust's own CSV files are written every second, so they miss the last one."""
    if not os.environ.get("LOAD_RESULT"):
        return
    stats = {
        entry.name: {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50_ms": entry.get_response_time_percentile(0.5) if entry.num_requests else None,
            "p95_ms": entry.get_response_time_percentile(0.95) if entry.num_requests else None,
            "max_ms": round(entry.max_response_time) if entry.num_requests else None,
        }
        for entry in environment.stats.entries.values()
    }
    errors = [
        {"name": error.name, "error": str(error.error), "occurrences": error.occurrences}
        for error in environment.stats.errors.values()
    ]
    with open(os.environ["LOAD_RESULT"], "w") as file:
        json.dump({"stats": stats, "errors": errors}, file, indent=2)


class Visitor(HttpUser):
    # As fast as the server answers: each user sends its next request on the last answer.
    wait_time = constant(0)

    def on_start(self) -> None:
        global users_in
        try:
            if EMAIL:
                self.log_in()
            self.client.get(PATH, name="warm-up", allow_redirects=False)
        finally:
            # Counted even when signing in failed: the others must not wait for this one.
            users_in += 1
        if users_in == self.environment.parsed_options.num_users:
            all_in.set()
            gevent.spawn_later(SECONDS, self.environment.runner.quit)
        all_in.wait()

    def log_in(self) -> None:
        self.client.get("/accounts/login/", name="login form")
        with self.client.post(
            "/accounts/login/",
            {
                "username": EMAIL,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # A good login redirects; a bad one shows the form again (200).
            if response.status_code != 302:
                response.failure(f"login as {EMAIL} answered {response.status_code}")

    @task
    def page(self) -> None:
        with self.client.get(
            PATH, name=NAME, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                where = response.headers.get("Location", "")
                response.failure(f"{response.status_code} {where}".strip())
