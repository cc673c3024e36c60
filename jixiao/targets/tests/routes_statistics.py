"""Filled in by the routes_statistics work."""

HTML_ROUTES = []
API_ROUTES = []
