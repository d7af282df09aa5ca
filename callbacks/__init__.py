"""Callback registration: each module's ``register(app)``, called by ``app.create_app``.

Nothing is registered at import, so tests can build several apps.
"""

from __future__ import annotations

from typing import Any


def register_callbacks(app: Any) -> None:
    """Register every callback of the app."""
    from callbacks import clientside, country, matrix, overview, shell

    shell.register(app)
    overview.register(app)
    matrix.register(app)
    country.register(app)
    clientside.register(app)  # last: the server callbacks of an id come first
