"""Every write of F1 (organisation and people). Keyword-only, explicit actor, atomic, audited."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import get_default_password_validators, validate_password
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from jixiao.core import audit
from jixiao.core.actors import SYSTEM, person
from jixiao.core.choices import SecurityEventCode
from jixiao.core.concurrency import bump, lock_checked
from jixiao.core.errors import ValidationFailed
from jixiao.core.roles import ADMIN_ROLES, AGENCY_BOUND_ROLES, GRANTABLE_ROLES, SUBTREE_ROLES, Role
from jixiao.core.scoping import assert_in_scope, check
from jixiao.core.services import seed_region_config, service
from jixiao.org.auth import installation_region_id, is_locked
from jixiao.org.choices import AgencyKind, RegionLevel, SectionKind
from jixiao.org.models import Agency, ApiToken, FinanceSection, PasswordHistory, Region, Sector, User

# --- regions and sectors (installation data; the command line acts as SYSTEM) -----------------


def region_path(region: Region) -> str:
    """The region's place in the tree ("/<province id>/<city id>/<id>/"): what scoping's prefix
    query over a province's or a city's regions reads (``jixiao.core.scoping``)."""
    return (region.parent.path if region.parent_id else "/") + f"{region.pk}/"


@service
def create_region(*, actor, code: str, name: str, level: str, parent: Region | None = None, year: int | None = None):
    """A new tenant, with its configuration seeded for ``year`` from the national defaults."""
    code = (code or "").strip()
    if len(code) != 6 or not code.isdigit():
        raise ValidationFailed({"code": ["区划代码应为 6 位数字（GB/T 2260）"]})
    if level not in RegionLevel.values:
        raise ValidationFailed({"level": [f"未知的区划级别 {level}"]})
    if Region.objects.filter(code=code).exists():
        raise ValidationFailed({"code": [f"区划代码 {code} 已存在"]})
    region = Region.objects.create(code=code, name=name.strip(), level=level, parent=parent)
    region.path = region_path(region)
    region.save(update_fields=["path"])
    audit.log_create(actor=actor, obj=region)
    seed_region_config(actor=actor, region=region, year=year or timezone.localdate().year)
    return region


@service
def ensure_sector(*, actor, code: str, name: str, position: int = 0):
    sector, created = Sector.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    if created:
        audit.log_create(actor=actor, obj=sector)
    return sector


# --- agencies ---------------------------------------------------------------------------------

def _length_errors(model, errors: dict[str, list[str]] | None = None, **values) -> dict[str, list[str]]:
    """Text longer than the column: SQLite would store it, PostgreSQL would fail the whole request."""
    errors = {} if errors is None else errors
    for name, value in values.items():
        field = model._meta.get_field(name)
        if isinstance(value, str) and field.max_length and len(value) > field.max_length:
            errors.setdefault(name, []).append(f"{field.verbose_name}最多 {field.max_length} 个字（现有 {len(value)} 个）")
    return errors


def _agency_errors(*, region, code, name, kind, parent, exclude_pk=None) -> dict[str, list[str]]:
    errors = _length_errors(Agency, code=code, name=name)
    if not code:
        errors.setdefault("code", []).append("单位代码不能为空")
    elif Agency.objects.filter(region=region, code=code).exclude(pk=exclude_pk).exists():
        errors.setdefault("code", []).append(f"单位代码 {code} 已被使用")
    if not name:
        errors.setdefault("name", []).append("单位名称不能为空")
    if kind not in AgencyKind.values:
        errors.setdefault("kind", []).append(f"未知的单位类型 {kind}")
    if kind == AgencyKind.UNIT and parent is None:
        errors.setdefault("parent", []).append("预算单位必须选择上级部门")
    if kind in (AgencyKind.DEPARTMENT, AgencyKind.TOWNSHIP) and parent is not None:
        errors.setdefault("parent", []).append("预算部门和乡镇为一级单位，不能有上级")
    if parent is not None:
        if parent.region_id != region.pk:
            errors.setdefault("parent", []).append("上级部门不在本区划")
        if exclude_pk and (parent.pk == exclude_pk or f"/{exclude_pk}/" in parent.path):
            errors.setdefault("parent", []).append("上级部门不能是本单位或其下属单位")
    return errors


def _set_path(agency: Agency) -> None:
    agency.path = (agency.parent.path if agency.parent_id else "/") + f"{agency.pk}/"


@service
def create_agency(*, actor, region: Region, code: str, name: str, kind: str, parent: Agency | None = None,
                  sector: Sector | None = None, active: bool = True):
    code, name = (code or "").strip(), (name or "").strip()
    errors = _agency_errors(region=region, code=code, name=name, kind=kind, parent=parent)
    if errors:
        raise ValidationFailed(errors)
    agency = Agency.objects.create(region=region, code=code, name=name, kind=kind, parent=parent, sector=sector,
                                   active=active)
    _set_path(agency)
    agency.save(update_fields=["path"])
    assert_in_scope(agency, actor, "create")
    audit.log_create(actor=actor, obj=agency)
    return agency


@service
def update_agency(*, actor, agency: Agency, version: int, **changes):
    """Edit an agency; moving it under another department rewrites the paths of its whole subtree in
    one UPDATE per level (set-based, not a query per unit)."""
    agency = lock_checked(Agency, agency.pk, version)
    assert_in_scope(agency, actor, "change")
    before = audit.snapshot(agency)
    allowed = {"code", "name", "kind", "parent", "sector", "active"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    for k, v in changes.items():
        setattr(agency, k, v.strip() if isinstance(v, str) else v)
    errors = _agency_errors(region=agency.region, code=agency.code, name=agency.name, kind=agency.kind,
                            parent=agency.parent, exclude_pk=agency.pk)
    # A department reviewer sees the subtree of a top-level agency; demoting that agency would leave
    # the reviewer bound where the binding rules forbid it.
    if agency.parent_id is not None and agency.users.filter(role__in=SUBTREE_ROLES).exists():
        errors.setdefault("kind", []).append("该单位有主管部门审核人账号，不能改为下级单位；请先变更其角色或所属单位")
    if errors:
        raise ValidationFailed(errors)
    old_path = agency.path
    _set_path(agency)
    bump(agency)
    agency.save()
    if agency.path != old_path:
        from django.db.models import F, Value
        from django.db.models.functions import Concat, Substr

        Agency.objects.filter(path__startswith=old_path).exclude(pk=agency.pk).update(
            path=Concat(Value(agency.path), Substr(F("path"), len(old_path) + 1))
        )
    assert_in_scope(agency, actor, "change")
    audit.log_update(actor=actor, obj=agency, before=before)
    return agency


# --- finance sections -------------------------------------------------------------------------

@service
def create_section(*, actor, region: Region, code: str, name: str, kind: str, agencies=()):
    code, name = (code or "").strip(), (name or "").strip()
    errors = _length_errors(FinanceSection, code=code, name=name)
    if not code:
        errors["code"] = ["股室代码不能为空"]
    elif FinanceSection.objects.filter(region=region, code=code).exists():
        errors["code"] = [f"股室代码 {code} 已被使用"]
    if not name:
        errors["name"] = ["股室名称不能为空"]
    if kind not in SectionKind.values:
        errors["kind"] = [f"未知的股室类型 {kind}"]
    if errors:
        raise ValidationFailed(errors)
    section = FinanceSection.objects.create(region=region, code=code, name=name, kind=kind)
    _set_section_agencies(section, agencies)
    assert_in_scope(section, actor, "create")
    audit.log_create(actor=actor, obj=section)
    return section


def _set_section_agencies(section: FinanceSection, agencies) -> None:
    agencies = list(agencies)
    foreign = [a.name for a in agencies if a.region_id != section.region_id]
    if foreign:
        raise ValidationFailed({"agencies": [f"以下单位不在本区划：{'、'.join(foreign)}"]})
    if section.kind == SectionKind.PERFORMANCE and agencies:
        raise ValidationFailed({"agencies": ["绩效股不分管具体单位（复审覆盖全区划）"]})
    section.agencies.set(agencies)


@service
def update_section(*, actor, section: FinanceSection, version: int, agencies=None, **changes):
    section = lock_checked(FinanceSection, section.pk, version)
    assert_in_scope(section, actor, "change")
    before = audit.snapshot(section)
    for k, v in changes.items():
        if k not in {"code", "name", "kind"}:
            raise ValueError(k)
        setattr(section, k, v.strip() if isinstance(v, str) else v)
    if not section.name:
        raise ValidationFailed({"name": ["股室名称不能为空"]})
    if errors := _length_errors(FinanceSection, code=section.code, name=section.name):
        raise ValidationFailed(errors)
    if section.kind not in SectionKind.values:
        raise ValidationFailed({"kind": [f"未知的股室类型 {section.kind}"]})
    if FinanceSection.objects.filter(region=section.region, code=section.code).exclude(pk=section.pk).exists():
        raise ValidationFailed({"code": [f"股室代码 {section.code} 已被使用"]})
    bump(section)
    section.save()
    # Re-check the current agencies when only the kind changes (a performance section looks after none).
    _set_section_agencies(section, section.agencies.all() if agencies is None else agencies)
    assert_in_scope(section, actor, "change")
    audit.log_update(actor=actor, obj=section, before=before)
    return section


# --- users ------------------------------------------------------------------------------------

def _user_binding_errors(*, role, region, agency, finance_section) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if role in AGENCY_BOUND_ROLES and agency is None:
        errors["agency"] = ["该角色必须指定所属单位"]
    if role in SUBTREE_ROLES and agency is not None and agency.parent_id is not None:
        errors["agency"] = ["主管部门审核人必须属于一级预算部门或乡镇"]
    if role not in AGENCY_BOUND_ROLES and agency is not None:
        errors["agency"] = ["财政、专家、机构及管理员账号不属于预算单位"]
    if role == Role.SECTION_REVIEWER:
        if finance_section is None or finance_section.kind == SectionKind.PERFORMANCE:
            errors["finance_section"] = ["业务股室审核人必须指定所在业务股室"]
    elif role == Role.PERFORMANCE_SECTION:
        if finance_section is not None and finance_section.kind != SectionKind.PERFORMANCE:
            errors["finance_section"] = ["绩效股用户只能属于绩效股"]
    elif finance_section is not None:
        errors["finance_section"] = ["只有财政股室人员可以指定股室"]
    for label, obj in (("agency", agency), ("finance_section", finance_section)):
        if obj is not None and obj.region_id != region.pk:
            errors.setdefault(label, []).append("不在本区划")
    return errors


def _password_errors(password: str, user: User, *, demo: bool = False) -> list[str]:
    """The password policy's refusals (settings.AUTH_PASSWORD_VALIDATORS) in Chinese. ``demo`` skips
    only the known-password list, for the demo logins' published password."""
    from jixiao.org.auth import KnownPasswordValidator

    validators = [v for v in get_default_password_validators()
                  if not (demo and isinstance(v, KnownPasswordValidator))]
    try:
        validate_password(password, user, password_validators=validators)
    except DjangoValidationError as exc:
        return list(exc.messages)
    return []


def _store_password(user: User, password: str, *, must_change: bool, fields=()) -> None:
    """Set the password, remember its hash (the last ``JIXIAO_PASSWORD_HISTORY`` + 1 are kept, the
    current one included) and whether the holder must change it before doing anything else."""
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = must_change
    user.save(update_fields=["password", "password_changed_at", "must_change_password", *fields]
              if user.pk else None)
    PasswordHistory.objects.create(user=user, password=user.password)
    keep = user.password_history.values_list("pk", flat=True)[: settings.JIXIAO_PASSWORD_HISTORY + 1]
    user.password_history.exclude(pk__in=list(keep)).delete()


@service
def create_user(*, actor, region: Region, username: str, display_name: str, role: str, password: str,
                agency: Agency | None = None, finance_section: FinanceSection | None = None, phone: str = "",
                allow_admin_role: bool = False, demo: bool = False):
    """Create a login. Administrator roles can only be given from the command line
    (``allow_admin_role``), so no one in the application can make themselves or a friend an admin.
    ``demo`` (SYSTEM only: the persona and demo builder) lets the published demo password through
    the known-password list; every other rule of the policy still applies."""
    if demo and actor is not SYSTEM:
        raise PermissionDenied("演示密码只能由演示数据构建程序设置。")
    username = (username or "").strip()
    errors = _length_errors(User, username=username, display_name=(display_name or "").strip(), phone=phone)
    if not username:
        errors["username"] = ["账号不能为空"]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [f"账号 {username} 已被使用，请换一个"]  # not where, nor whose (issue #11)
    if role not in Role.values:
        errors["role"] = [f"未知角色 {role}"]
    elif role in ADMIN_ROLES and not allow_admin_role:
        errors["role"] = ["管理员角色只能在安装时由命令行创建"]
    errors.update(_user_binding_errors(role=role, region=region, agency=agency, finance_section=finance_section))
    # 三员 (GB/T 22239): a person (the system administrator) creates the account, the security
    # administrator gives it its business role (change_role); the command line and the demo give it at once.
    granted = actor is SYSTEM
    user = User(username=username, display_name=(display_name or "").strip(), role=role if granted else "",
                pending_role="" if granted else role, region=region, agency=agency,
                finance_section=finance_section, phone=phone)
    if password_errors := _password_errors(password, user, demo=demo):
        errors["password"] = password_errors
    if errors:
        raise ValidationFailed(errors)
    _store_password(user, password, must_change=not granted)
    assert_in_scope(user, actor, "create")
    audit.log_create(actor=actor, obj=user)
    return user


@service
def update_user(*, actor, user: User, version: int, **changes):
    """Edit a login's profile and binding (not its role: see :func:`change_role`).

    三员 (GB/T 22239): the unit (单位) and the finance section (股室) decide which business data a role
    reaches, so moving an account with a business role to another one is a grant too. When a person
    (the system administrator) moves it, the role is suspended (``pending_role``, as after a reset)
    until the security administrator grants it for the new place (:func:`change_role`)."""
    user = lock_checked(User, user.pk, version)
    check(actor, user, "edit_profile")
    before = audit.snapshot(user)
    binding = (user.agency_id, user.finance_section_id)
    for k, v in changes.items():
        if k not in {"display_name", "phone", "agency", "finance_section", "is_active", "email"}:
            raise ValueError(k)
        setattr(user, k, v.strip() if isinstance(v, str) else v)
    if user.role and actor is not SYSTEM and (user.agency_id, user.finance_section_id) != binding:
        user.pending_role, user.role = user.role, ""
    errors = _user_binding_errors(role=user.role or user.pending_role, region=user.region, agency=user.agency,
                                  finance_section=user.finance_section)
    _length_errors(User, errors, display_name=user.display_name, phone=user.phone, email=user.email)
    if errors:
        raise ValidationFailed(errors)
    bump(user)
    user.save()
    assert_in_scope(user, actor, "change")
    audit.log_update(actor=actor, obj=user, before=before)
    return user


@service
def change_role(*, actor, user: User, version: int, role: str, agency=None, finance_section=None, ip: str = ""):
    """安全保密管理员 changes a business role (a security event). Administrator roles are neither
    given nor taken away here."""
    user = lock_checked(User, user.pk, version)
    check(actor, user, "grant_role")
    if role not in GRANTABLE_ROLES:
        raise ValidationFailed({"role": ["管理员角色不能在系统内授予或变更"]})
    errors = _user_binding_errors(role=role, region=user.region, agency=agency, finance_section=finance_section)
    if errors:
        raise ValidationFailed(errors)
    before = audit.snapshot(user)
    old_role = user.role
    user.role, user.agency, user.finance_section, user.pending_role = role, agency, finance_section, ""
    bump(user)
    user.save()
    audit.log_update(actor=actor, obj=user, before=before)
    audit.security_event(SecurityEventCode.ROLE_CHANGE, actor=actor, ip=ip,
                         detail={"user": user.username, "from": old_role, "to": role})
    return user


@service
def reset_password(*, actor, user: User, password: str, ip: str = ""):
    """An administrator sets a new password: the holder must change it before doing anything else
    (``must_change_password``), and — 三员 — whoever set it does not thereby get the account's
    business role: a reset by a person suspends the role (``pending_role``) until the security
    administrator grants it again (``change_role``), so the system administrator cannot reset a
    password to act as its holder."""
    check(actor, user, "reset_password")
    user = User.objects.select_for_update().get(pk=user.pk)
    if errors := _password_errors(password, user):
        raise ValidationFailed({"password": errors})
    suspended = ""
    if actor is not SYSTEM and user.role:
        suspended, user.pending_role, user.role = user.role, user.role, ""
    bump(user)
    _store_password(user, password, must_change=True, fields=["role", "pending_role", "version"])
    detail = {"user": user.username, **({"suspended_role": suspended} if suspended else {})}
    audit.security_event(SecurityEventCode.PASSWORD_RESET, actor=actor, ip=ip, detail=detail)
    return user


@service
def change_own_password(*, actor, old_password: str, new_password: str, ip: str = ""):
    if not actor.check_password(old_password):
        raise ValidationFailed({"old_password": ["原密码不正确"]})
    if errors := _password_errors(new_password, actor):
        raise ValidationFailed({"new_password": errors})
    _store_password(actor, new_password, must_change=False)
    audit.security_event(SecurityEventCode.PASSWORD_CHANGE, actor=actor, ip=ip)
    return actor


@service
def unlock_user(*, actor, user: User, ip: str = ""):
    check(actor, user, "unlock")
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    audit.security_event(SecurityEventCode.UNLOCKED, actor=actor, ip=ip, detail={"user": user.username})
    user.refresh_from_db()
    return user


# --- login bookkeeping (a failure's actor is UNAUTHENTICATED: the person has not logged in) ----

def record_login_success(*, user: User, ip: str) -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        audit.security_event(SecurityEventCode.LOGIN, actor=user, ip=ip)


def record_login_failure(*, username: str, ip: str) -> bool:
    """Count a failed login; lock the account after the configured number. Returns True if locked."""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username__iexact=username).first()
        if user is None:
            audit.security_event(SecurityEventCode.LOGIN_FAILED, actor=audit.UNAUTHENTICATED, username=username[:150],
                                 region_id=installation_region_id(), ip=ip, detail={"reason": "unknown_user"})
            return False

        if is_locked(user):
            audit.security_event(SecurityEventCode.LOGIN_FAILED, actor=audit.UNAUTHENTICATED, username=user.username, region_id=user.region_id,
                                 ip=ip, detail={"reason": "locked"})
            return True
        user.failed_logins += 1
        locked = user.failed_logins >= settings.JIXIAO_LOCKOUT_ATTEMPTS
        if locked:
            user.locked_until = timezone.now() + timedelta(minutes=settings.JIXIAO_LOCKOUT_MINUTES)
            user.failed_logins = 0
        user.save(update_fields=["failed_logins", "locked_until"])
        audit.security_event(SecurityEventCode.LOGIN_FAILED, actor=audit.UNAUTHENTICATED, username=user.username, region_id=user.region_id,
                             ip=ip, detail={"reason": "bad_password"})
        if locked:
            audit.security_event(SecurityEventCode.LOCKED, actor=audit.UNAUTHENTICATED, username=user.username, region_id=user.region_id, ip=ip,
                                 detail={"minutes": settings.JIXIAO_LOCKOUT_MINUTES})
        return locked


def record_source_throttled(*, username: str, ip: str) -> None:
    """A login refused because its source address is throttled (``auth.source_is_throttled``): one
    LOGIN_THROTTLED event per refusal, under the account's region when the name is an account's, else
    the installation's. The account's own failure count is not touched: the password was not tried."""
    user = User.objects.filter(username__iexact=username).only("username", "region_id").first()
    audit.security_event(SecurityEventCode.LOGIN_THROTTLED, actor=audit.UNAUTHENTICATED,
                         username=(user.username if user else username)[:150],
                         region_id=user.region_id if user else installation_region_id(), ip=ip,
                         detail={"attempts": settings.JIXIAO_SOURCE_LOCKOUT_ATTEMPTS,
                                 "minutes": settings.JIXIAO_LOCKOUT_MINUTES})


def record_logout(*, user: User, ip: str) -> None:
    audit.security_event(SecurityEventCode.LOGOUT, actor=user, ip=ip)


# --- API tokens -------------------------------------------------------------------------------

def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@service
def create_api_token(*, actor, name: str, ip: str = "") -> tuple[ApiToken, str]:
    """A new personal token for ``actor``; returns the token record and the key, shown only once."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed({"name": ["请填写令牌用途"]})
    if errors := _length_errors(ApiToken, name=name):
        raise ValidationFailed(errors)
    key = "jx_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=actor, name=name.strip(), key_hash=token_hash(key), prefix=key[:8])
    audit.security_event(SecurityEventCode.TOKEN_CREATED, actor=actor, ip=ip, detail={"name": token.name})
    return token, key


@service
def revoke_api_token(*, actor, token_id: int, ip: str = "") -> ApiToken:
    """吊销: the owner revokes one of their own tokens (another user's id answers as missing)."""
    from django.http import Http404

    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=person(actor), revoked=False).first()
    if token is None:
        raise Http404("令牌不存在或已吊销。")
    token.revoked = True
    token.save(update_fields=["revoked"])
    audit.security_event(SecurityEventCode.TOKEN_REVOKED, actor=actor, ip=ip, detail={"name": token.name})
    return token


def token_usable(token: ApiToken) -> bool:
    """A token works only while it is not revoked, not older than ``JIXIAO_TOKEN_DAYS``, not older
    than its owner's last password change (a change or reset revokes every earlier token), and its
    owner's account is active, not locked and not waiting for its holder to change the password."""

    user = token.user
    if token.revoked or not user.is_active or is_locked(user) or user.must_change_password:
        return False
    if token.created_at < timezone.now() - timedelta(days=settings.JIXIAO_TOKEN_DAYS):
        return False
    return not (user.password_changed_at and token.created_at < user.password_changed_at)


def authenticate_token(key: str) -> User | None:
    token = ApiToken.objects.select_related("user").filter(key_hash=token_hash(key or ""), revoked=False).first()
    if token is None or not token_usable(token):
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user

