"""Placeholder: filled by issue #8 work (routes registered through server.routes)."""

from __future__ import annotations

from typing import Any


def register(app: Any) -> None:
    """Register this module's routes (none yet)."""
