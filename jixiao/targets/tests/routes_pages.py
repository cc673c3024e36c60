"""Filled in by the routes_pages work."""

HTML_ROUTES = []
API_ROUTES = []
