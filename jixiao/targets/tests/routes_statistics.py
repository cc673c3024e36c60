"""Route table of the target statistics (coverage, review statistics) for the route-walk meta-test:
every role that reads both projects and target sheets gets its own scope's figures (the other
region's personas their own, empty, region); experts, firms and the administrators get 403."""

from jixiao.core.roles import Role
from tests.routes import Route, having

READERS = having(Role.AGENCY_PREPARER, Role.AGENCY_HEAD, Role.DEPARTMENT_REVIEWER, Role.SECTION_REVIEWER,
                 Role.PERFORMANCE_SECTION, Role.VIEWER)

HTML_ROUTES = [
    Route("targets:coverage", ok=READERS),
    Route("targets:statistics", ok=READERS),
]
API_ROUTES = [
    Route("GET /api/v1/targets/statistics/coverage", ok=READERS),
    Route("GET /api/v1/targets/statistics/review", ok=READERS),
]
