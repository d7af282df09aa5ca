"""Data layer: canonical observations, readers, the store and the gap engine (pure pandas)."""
