"""gunicorn configuration of the project (``gunicorn -c gunicorn.conf.py``), see README "Deploying".

Threaded workers (``gthread``): a client that sends its request slowly holds one thread, not a
whole worker, so a few slow clients never stall everyone else (two such clients blocked both
sync workers for 13-20 s). For a hostile network put a buffering front server (nginx) before it.
Bind address and worker count can be overridden on the command line (``-b``, ``-w``); the app's
own settings are ``GAPMAP_*`` variables, read by data/settings.py.
"""

wsgi_app = "app:create_server()"
bind = "127.0.0.1:8050"
workers = 2
worker_class = "gthread"
threads = 8
timeout = 60  # a worker busy longer than this is restarted
graceful_timeout = 30
keepalive = 20  # idle connections kept 20 s: fewer resets of one a client reuses as it closes
# requests are small (callbacks are JSON of a few KB): refuse oversized header lines early
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
