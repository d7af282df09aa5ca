"""Page layouts registered with Dash Pages in ``app.create_app``."""
