"""F1 Organisation and people: regions (the tenant), sectors, the agency tree, finance sections and
users with one role each."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import PermissionDenied
from django.db import models
from django.urls import reverse

from jixiao.core.actors import SYSTEM
from jixiao.core.errors import ValidationFailed
from jixiao.core.models import VersionedModel
from jixiao.core.roles import Role, is_admin
from jixiao.core.scoping import ScopedQuerySet, action, scope_rule
from jixiao.org.choices import AgencyKind, RegionLevel, SectionKind

ALL_BUT_ASSIGNED = set(Role) - {Role.EXPERT, Role.FIRM}
ORG_EDITORS = [Role.SYSTEM_ADMIN, Role.PERFORMANCE_SECTION]


class Region(VersionedModel):
    """行政区划 — the tenant. GB/T 2260 six-digit code. ``path`` ("/1/7/12/") is the chain of ids from
    the province down to this region, kept by the services (and the set-based demo builder), so the
    regions under a province or a city are one indexed prefix query — the region tree drives scoping
    the way ``Agency.path`` drives a department's subtree."""

    code = models.CharField("区划代码", max_length=6, unique=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("级别", max_length=16, choices=RegionLevel.choices, default=RegionLevel.COUNTY)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(region="pk", agency="*", assigned="*", view=set(Role))

    class Meta:
        ordering = ["code"]
        verbose_name = "行政区划"

    def __str__(self):
        return self.name


class Sector(models.Model):
    """行业/领域 — national reference data shared by all regions."""

    code = models.CharField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=64, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = "行业领域"

    def __str__(self):
        return self.name


class Agency(VersionedModel):
    """预算部门 / 预算单位 / 乡镇. ``path`` ("/12/45/") is the chain of ids from the top department
    down to this agency, kept by the services so a department's subtree is one indexed prefix query."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="agencies")
    code = models.CharField("单位代码", max_length=32)
    name = models.CharField("单位名称", max_length=128)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="上级部门"
    )
    kind = models.CharField("类型", max_length=16, choices=AgencyKind.choices)
    sector = models.ForeignKey(Sector, null=True, blank=True, on_delete=models.PROTECT, verbose_name="行业领域")
    active = models.BooleanField("在用", default=True)
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(agency="self", view=ALL_BUT_ASSIGNED, create=ORG_EDITORS, change=ORG_EDITORS)

    class Meta:
        ordering = ["region", "code"]
        verbose_name = "预算单位"
        constraints = [models.UniqueConstraint(fields=["region", "code"], name="uniq_agency_code_in_region")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("org:agency_detail", args=[self.pk])

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/") if p]

    @property
    def is_top_level(self) -> bool:
        return self.parent_id is None


class FinanceSection(VersionedModel):
    """财政业务股室: looks after a set of agencies (对口管理) and does their first review; the
    performance section (绩效股) does the second review."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="sections")
    code = models.CharField("股室代码", max_length=32)
    name = models.CharField("股室名称", max_length=64)
    kind = models.CharField("类型", max_length=16, choices=SectionKind.choices)
    agencies = models.ManyToManyField(Agency, blank=True, related_name="sections", verbose_name="对口单位")

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(
        agency=None,
        view=[Role.SECTION_REVIEWER, Role.PERFORMANCE_SECTION, Role.VIEWER, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN],
        create=ORG_EDITORS,
        change=ORG_EDITORS,
    )

    class Meta:
        ordering = ["region", "code"]
        verbose_name = "财政股室"
        constraints = [models.UniqueConstraint(fields=["region", "code"], name="uniq_section_code_in_region")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("org:section_detail", args=[self.pk])


def _business_account(actor, subject) -> bool:
    """The account is a business user's: administrators' accounts are kept from the command line."""
    return actor is SYSTEM or not is_admin(subject)


def _business_or_own_account(actor, subject) -> bool:
    return _business_account(actor, subject) or actor.pk == subject.pk


def _role_refusal(message: str) -> Exception:
    return ValidationFailed({"role": [message]})


#: What can be done to a login beyond the CRUD four, and by whom (三员: the system administrator
#: keeps accounts, the security administrator grants roles and unlocks; administrators' own
#: accounts are kept from the command line).
USER_ACTIONS = [
    action("edit_profile", "修改用户资料", roles=[Role.SYSTEM_ADMIN], test=_business_or_own_account,
           test_refusal=PermissionDenied, denied="只有系统管理员可以修改用户资料。",
           test_message="管理员账号只能由命令行维护。"),
    action("reset_password", "重置密码", roles=[Role.SYSTEM_ADMIN], test=_business_account,
           test_refusal=PermissionDenied, denied="只有系统管理员可以重置业务用户的密码。",
           test_message="管理员账号的密码只能由命令行重置。"),
    action("grant_role", "变更角色", roles=[Role.SECURITY_ADMIN], test=_business_account,
           test_refusal=_role_refusal, denied="只有安全保密管理员可以变更角色。",
           test_message="管理员角色不能在系统内授予或变更"),
    action("unlock", "解除锁定", roles=[Role.SECURITY_ADMIN], denied="只有安全保密管理员可以解除锁定。"),
]


class JixiaoUserManager(UserManager.from_queryset(ScopedQuerySet)):
    pass


class User(AbstractUser, VersionedModel):
    """A login. One role per login (三员 separation by construction). ``region`` is empty only for
    the installation superuser created from the command line."""

    display_name = models.CharField("姓名", max_length=64, blank=True)
    phone = models.CharField("电话", max_length=32, blank=True)
    role = models.CharField("角色", max_length=32, choices=Role.choices, blank=True)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="users")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="users")
    finance_section = models.ForeignKey(
        FinanceSection, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    #: set when an administrator reset (or chose) the password: until the holder changes it, the
    #: account can do nothing but change it (pages and API)
    must_change_password = models.BooleanField("须修改密码", default=False)
    #: 三员: the business role the system administrator asked for (a new account, or one whose password
    #: it reset), empty ``role`` until the security administrator grants it (``change_role``)
    pending_role = models.CharField("待授权角色", max_length=32, choices=Role.choices, blank=True)

    objects = JixiaoUserManager()
    scope = scope_rule(
        agency=None,
        view=[Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN],
        create=[Role.SYSTEM_ADMIN],
        change=[Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN],
        actions=USER_ACTIONS,
    )

    class Meta:
        ordering = ["username"]
        verbose_name = "用户"

    def __str__(self):
        return self.display_name or self.username

    @property
    def is_admin_role(self) -> bool:
        return is_admin(self)

    def get_absolute_url(self):
        return reverse("org:user_detail", args=[self.pk])


class PasswordHistory(models.Model):
    """The hashes of a login's recent passwords (current included), so a change can refuse reuse
    (``auth.PasswordHistoryValidator``). Never shown, never in the change log."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "历史密码"

    def __str__(self):
        return f"{self.user_id} @ {self.created_at}"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once when created."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=64)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API 令牌"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
