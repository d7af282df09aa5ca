"""Data layer: canonical observations, readers, the store and the gap engine (pure pandas).

Importing it sets one thing before pandas and Arrow are loaded: Arrow's memory pool, jemalloc
(``ARROW_DEFAULT_MEMORY_POOL``, unless the environment names one already; see
``settings.arrow_memory_pool``). The one thing done at import, on purpose: Arrow picks its pool
once, at its first allocation, which importing pandas makes; every entry point (``app.py``,
gunicorn's ``app:create_server``, ``python -m data``) imports this package before pandas.
Arrow's default on Linux, mimalloc, keeps the memory it frees for later: reading the 10M
observations snapshot (the decompressed table, then the frame made from it) left a process at
2.29 GB of RSS for a frame of 0.93 GB; jemalloc gives the freed pages back to the system within
a second or so (1.04 GB), so what a process held only while reading (the snapshot, the gap
tables, an import's batches) does not stay in the master and in every worker it forks.
"""

from data.settings import arrow_memory_pool

arrow_memory_pool()
