from django.urls import include, path

from jixiao.api import api
from jixiao.core import views as core_views
from jixiao.org import views as org_views
from jixiao.org import views_auth

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
    path("api/v1/", api.urls),
]

handler403 = "jixiao.core.views.forbidden"
handler404 = "jixiao.core.views.not_found"
