"""Registers the server routes that live beside the Dash pages (called by ``app.create_app``).

Each module named here owns its routes and exposes ``register(app)``; app.py stays the factory.
"""

from __future__ import annotations

import importlib
from typing import Any

# the briefing outputs (issue #8): data API, downloads, chart images, brief and country pack
MODULES: tuple[str, ...] = (
    "server.api",
    "server.downloads",
    "server.images",
    "server.brief",
    "server.community",  # accounts, upload wizard, review, submissions API (issue #9)
    "server.api_docs",  # /api and /api/docs: the data API for people, four languages (#10)
)


def register(app: Any) -> None:
    """Register every output module's routes on the Dash ``app`` (before ``security.secure``)."""
    for name in MODULES:
        importlib.import_module(name).register(app)
