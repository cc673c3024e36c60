"""F1 API: regions, agencies, finance sections, users (list/detail/create/update with If-Match)."""

from ninja import Router

router = Router(tags=["组织机构"])


@router.get("/me", summary="当前用户")
def me(request):
    u = request.user
    return {"username": u.username, "display_name": u.display_name, "role": u.role, "region": u.region_id,
            "agency": u.agency_id}
