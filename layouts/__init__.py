"""Pure builders that turn values into Dash components and plotly figures (no I/O)."""
