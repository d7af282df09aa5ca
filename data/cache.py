"""The flask-caching object, unbound; ``app.create_app`` binds it to the server."""

from flask_caching import Cache

cache = Cache()
