"""gunicorn settings of the baseline (bench/baseline_app.py): the project's, without its hooks.

Same worker class, threads and keep-alive as the repo's gunicorn.conf.py so that the serving
set-up is not what differs; no ``preload_app`` and no warm-up hooks (the standard app loads its
frame in each worker). Timeout 600 s: the baseline's start on 10 M rows takes minutes.
"""

wsgi_app = "bench.baseline_app:create_server()"
worker_class = "gthread"
threads = 8
timeout = 600
graceful_timeout = 30
keepalive = 20
