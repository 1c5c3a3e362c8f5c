"""gunicorn's settings for Emergence (the Procfile's web process: `gunicorn -c gunicorn.conf.py`).

Read from the environment as the PaaS hosts set it: PORT (the host gives it; 8000 by default),
WEB_CONCURRENCY (sync worker processes, 4 by default: about 90 MB each), and the timeouts below.
"""

import os

wsgi_app = "emergence.wsgi:application"
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "sync"
# A request still running after this many seconds is cut (its worker restarted): long work
# goes to Celery. graceful_timeout: how long a restart waits for the requests under way.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Each worker is replaced after about this many requests, so that no slow leak grows forever.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = 100
# No control socket (gunicorn 27 opens one in ~/.gunicorn by default): two servers on one
# machine (make serve next to a test's) would share it.
control_socket_disable = True
# The access log on the standard output, the server's own messages on the standard error;
# gunicorn's loggers do not pass their lines on to the app's root logger, so each is printed
# once. Each line: the X-Forwarded-For the proxy sent, the peer, the request, the status,
# the size and the time taken.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms'
