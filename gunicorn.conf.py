"""gunicorn configuration of the project (``gunicorn -c gunicorn.conf.py``), see README "Deploying".

One warm-up per host, not per worker (``preload_app``): the master builds the app, reads the
store and warms the gap engine's results (tens of CPU-seconds on a large store) *before* it
binds the port and forks; the workers inherit that memory copy-on-write (``gc.freeze()`` at the
end of the warm-up keeps the collector from touching, and so copying, it) and boot in a
moment. Before, each worker warmed up after booting while requests already reached it: with
4 workers the warm-ups starved the workers' heartbeats past the timeout, 18 workers were
killed and 18 of 200 requests failed. The master warms everything: the first map, every
group's gap tables, countries' splits and the world matrix (all shared; a worker warming its
own part delayed the first map while four of them did it at once). Each worker starts its own
keep-warm thread in ``post_fork`` (threads do not survive a fork) and drops the master's
pooled database connections. Code changes therefore need a restart, not
``kill -HUP`` (``--reload`` cannot be used with ``preload_app``).

Threaded workers (``gthread``): a client that sends its request slowly holds one thread, not a
whole worker, so a few slow clients never stall everyone else (two such clients blocked both
sync workers for 13-20 s). For a hostile network put a buffering front server (nginx) before it.
Each worker has its own listening socket (``reuse_port``): the kernel spreads connections
evenly instead of the one worker that happens to be awake taking most of them.
Bind address and worker count can be overridden on the command line (``-b``, ``-w``); the app's
own settings are ``GAPMAP_*`` variables, read by data/settings.py.
"""

wsgi_app = "app:create_server(preload=True)"
preload_app = True
bind = "127.0.0.1:8050"
workers = 2
worker_class = "gthread"
threads = 8
# A worker whose main loop has not checked in for this long is killed and replaced. No warm-up
# runs in a worker any more; gthread workers check in between requests' threads, so this only
# catches a worker stuck for good (kept above gunicorn's 30 s default for a loaded 2-core host).
timeout = 60
graceful_timeout = 30  # on stop or restart, requests in flight get this long to finish
# no control socket (gunicorn 27): one fixed path per user, which every gunicorn on the host
# (two deployments, a bench next to the app) would otherwise share
control_socket_disable = True
keepalive = 20  # idle connections kept 20 s: fewer resets of one a client reuses as it closes
# each worker listens on its own socket (SO_REUSEPORT) and the kernel spreads new connections
# over them: on one shared socket the worker awake at the moment took most of them, and kept
# them (keep-alive), so one worker ran 58 % of the callbacks while others idled (bench/RESULTS.md)
reuse_port = True
# requests are small (callbacks are JSON of a few KB): refuse oversized header lines early
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190


def on_starting(server):
    """Refuse an address another server already listens on.

    With ``reuse_port`` a second gunicorn on the same port would bind too and quietly share
    its connections; a plain bind (``SO_REUSEADDR`` only: a port left in TIME_WAIT by the last
    run is free) fails while anything listens there, and so does this start.
    """
    import socket

    for address in server.cfg.address:
        if not isinstance(address, tuple):  # a unix socket path: not shared by SO_REUSEPORT
            continue
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address[:2])
            except OSError as exc:
                raise RuntimeError(f"{address[0]}:{address[1]} is in use: {exc}") from exc


def post_fork(server, worker):
    """In each new worker: its own keep-warm thread and database connections."""
    import app

    warm = app.after_fork()
    if warm is None:
        server.log.warning("Worker %s starts cold: the master's warm-up failed", worker.pid)
    else:
        server.log.info("Worker %s starts warm: store version %s", worker.pid, warm)
