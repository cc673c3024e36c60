from django.http import JsonResponse
from django.urls import Resolver404, include, path, re_path, resolve

from jixiao.api import api
from jixiao.core import views as core_views
from jixiao.org import views as org_views
from jixiao.org import views_auth


def api_not_found(request):
    """An unknown API route: JSON 404; a known route written without its trailing slash, or with one it
    does not have: JSON 404 that names the right address (a redirect would turn a POST into a GET)."""
    message = "接口不存在。"
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            message = f"接口不存在；地址应以“/”结尾：{request.path}/"
    elif len(request.path) > 1:
        try:
            match = resolve(request.path[:-1])
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            message = f"接口不存在；地址末尾不应有“/”：{request.path[:-1]}"
    return JsonResponse({"code": "not_found", "message": message}, status=404)


urlpatterns = [
    path("", org_views.home, name="home"),
    path("login/", views_auth.LoginView.as_view(), name="login"),
    path("logout/", views_auth.logout_view, name="logout"),
    path("password/", views_auth.password_change, name="password_change"),
    path("help/", core_views.help_page, name="help"),
    path("area/<slug:code>/", core_views.area, name="area"),
    path("org/", include("jixiao.org.urls")),
    path("library/", include("jixiao.library.urls")),
    path("pools/", include("jixiao.pools.urls")),
    path("core/", include("jixiao.core.urls")),
    path("projects/", include("jixiao.projects.urls")),
    path("assessment/", include("jixiao.assessment.urls")),
    path("targets/", include("jixiao.targets.urls")),
    path("monitoring/", include("jixiao.monitoring.urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/", api_not_found, name="api_not_found"),  # anything else under /api/ answers JSON, never an HTML page
]

handler400 = "jixiao.core.views.bad_request"
handler403 = "jixiao.core.views.forbidden"
handler404 = "jixiao.core.views.not_found"
