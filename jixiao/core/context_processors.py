from django.utils import timezone

from jixiao.core import inbox, navigation


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_areas": [], "nav_admin": [], "inbox_count": 0}
    role = getattr(user, "role", "")
    return {
        "nav_areas": navigation.areas_for(role),
        "nav_admin": navigation.admin_links_for(role),
        "inbox_count": inbox.open_count(user),
        "current_year": timezone.localdate().year,
    }
