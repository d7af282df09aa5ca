"""Server-side pieces beside the Dash pages (security headers, request checks).

Registered by ``app.create_app``; nothing here runs at import.
"""
