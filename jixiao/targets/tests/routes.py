"""Route table of target management for the route-walk meta-test (tests/test_route_walk.py): the
pages and sheet API (routes_pages.py) and the statistics (routes_statistics.py)."""

from jixiao.targets.tests import routes_pages, routes_statistics

HTML_ROUTES = [*routes_pages.HTML_ROUTES, *routes_statistics.HTML_ROUTES]
API_ROUTES = [*routes_pages.API_ROUTES, *routes_statistics.API_ROUTES]
