"""Shared machinery tables: audit logs, review chains, task inbox, jobs, region configuration."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from jixiao.core.choices import (
    AttachmentKind,
    ChangeAction,
    InboxKind,
    JobStatus,
    ReviewAction,
    ReviewStatus,
    SecurityEventCode,
)
from jixiao.core.roles import ADMIN_ROLES, Role
from jixiao.core.scoping import ScopedQuerySet, action, scope_rule


class VersionedModel(models.Model):
    """Optimistic concurrency: every editable record carries a version that each save bumps;
    a write carrying an older version is refused (see ``jixiao.core.concurrency``)."""

    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        abstract = True


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(ScopedQuerySet):
    """Bulk ``update()``/``delete()`` bypass ``Model.save``/``delete``; refuse them as well."""

    def update(self, **kwargs):
        raise AppendOnlyError("审计记录只能追加，不能修改。")

    def delete(self):
        raise AppendOnlyError("审计记录只能追加，不能删除。")

    delete.queryset_only = True


class AppendOnlyModel(models.Model):
    """Audit rows are written once. The application refuses to update or delete them; a change made
    behind its back (SQL console) is caught by the hash chain (``manage.py verify_audit``)."""

    seq = models.BigIntegerField("序号", unique=True)
    created_at = models.DateTimeField("时间", db_index=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        abstract = True
        ordering = ["seq"]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("审计记录只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计记录只能追加，不能删除。")


class AuditChainHead(models.Model):
    """The last sequence number and hash of each chain. Writers lock this row, so appends are
    serialised; it also lets verification notice rows cut from the end of a chain. ``keyed_from`` is
    the first row hashed with the audit key (older rows: plain SHA-256); ``mac`` is an HMAC over the
    head, so neither the head nor the switch point can be rewritten without the key."""

    name = models.CharField(max_length=32, primary_key=True)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    keyed_from = models.BigIntegerField(default=1)
    mac = models.CharField(max_length=64, blank=True, default="")

    def __str__(self):
        return f"{self.name}#{self.last_seq}"


AUDIT_ACTIONS = [action("verify", "校验审计日志", roles=[Role.AUDIT_ADMIN], denied="只有安全审计员可以校验审计日志。")]


class ChangeLog(AppendOnlyModel):
    region = models.ForeignKey("org.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    object_type = models.CharField("对象类型", max_length=100, db_index=True)
    object_id = models.CharField("对象ID", max_length=64, db_index=True)
    object_repr = models.CharField("对象", max_length=255, blank=True)
    action = models.CharField("操作", max_length=10, choices=ChangeAction.choices)
    changes = models.JSONField("变更内容", default=dict)

    objects = AppendOnlyQuerySet.as_manager()
    #: verifying the audit chains and fetching their anchor (both chains: the change log's and the
    #: security events') is the audit administrator's (三员)
    scope = scope_rule(agency=None, view=[Role.AUDIT_ADMIN], actions=AUDIT_ACTIONS)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = "变更日志"

    CHAIN = "change"

    def __str__(self):
        return f"#{self.seq} {self.get_action_display()} {self.object_repr}"

    def hash_fields(self) -> dict:
        return {
            "seq": self.seq,
            "created_at": self.created_at.isoformat(),
            "region": self.region_id,
            "actor": self.actor_id,
            "actor_name": self.actor_name,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "action": self.action,
            "changes": self.changes,
        }


class SecurityEvent(AppendOnlyModel):
    region = models.ForeignKey("org.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField("账号", max_length=150, blank=True)
    code = models.CharField("事件", max_length=32, choices=SecurityEventCode.choices, db_index=True)
    ip = models.CharField("IP", max_length=64, blank=True)
    detail = models.JSONField("详情", default=dict)

    objects = AppendOnlyQuerySet.as_manager()
    scope = scope_rule(agency=None, view=[Role.AUDIT_ADMIN, Role.SECURITY_ADMIN])

    class Meta(AppendOnlyModel.Meta):
        verbose_name = "安全事件"
        indexes = [models.Index(fields=["ip", "code", "created_at"], name="secevent_ip_code_time")]

    CHAIN = "security"

    def __str__(self):
        return f"#{self.seq} {self.get_code_display()} {self.username}"

    def hash_fields(self) -> dict:
        return {
            "seq": self.seq,
            "created_at": self.created_at.isoformat(),
            "region": self.region_id,
            "actor": self.actor_id,
            "username": self.username,
            "code": self.code,
            "ip": self.ip,
            "detail": self.detail,
        }


class RegionConfig(VersionedModel):
    """One typed configuration record of a region for a year (keys and schemas in
    ``jixiao.core.config``). Later capabilities read their parameters only through
    ``config.get(region, year, key)``."""

    region = models.ForeignKey("org.Region", on_delete=models.CASCADE, related_name="configs")
    year = models.PositiveSmallIntegerField("年度")
    key = models.CharField("配置项", max_length=64)
    value = models.JSONField("取值")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(
        agency=None,
        view=[Role.PERFORMANCE_SECTION, Role.SECTION_REVIEWER, Role.VIEWER, Role.SYSTEM_ADMIN],
        change=[Role.PERFORMANCE_SECTION],
    )

    class Meta:
        verbose_name = "区划年度配置"
        constraints = [models.UniqueConstraint(fields=["region", "year", "key"], name="uniq_region_year_key")]
        ordering = ["region", "year", "key"]

    def __str__(self):
        return f"{self.region_id}/{self.year}/{self.key}"


class Review(VersionedModel):
    """The review state of one object (target sheet, assessment, evaluation, rectification …).
    The chain's steps are copied from the region configuration when the review starts, so editing the
    configuration never strands a sheet that is already moving."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("org.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    chain = models.CharField("审核链", max_length=32)
    year = models.PositiveSmallIntegerField("年度")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    title = models.CharField("标题", max_length=255)
    steps = models.JSONField("审核步骤", default=list)
    submit_roles = models.JSONField("提交角色", default=list)
    position = models.SmallIntegerField("当前步骤", default=-1)
    #: the members (``core.review.Member.key``: "user:12", "expert:7") who have passed the current
    #: step, for a step every member must pass ("all"); bare user ids in rows written before keys
    step_approvals = models.JSONField("本步骤已通过", default=list, blank=True)
    #: reviewers the performance section assigned to a step nobody held: {"<position>": [user ids]}
    assigned = models.JSONField("指定审核人", default=dict, blank=True)
    status = models.CharField("状态", max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(
        view=set(Role) - ADMIN_ROLES - {Role.EXPERT, Role.FIRM},
        change=set(Role) - ADMIN_ROLES - {Role.EXPERT, Role.FIRM, Role.VIEWER},
        actions=[
            action("assign_reviewer", "指定审核人", roles=[Role.PERFORMANCE_SECTION], states=[ReviewStatus.IN_REVIEW],
                   denied="只有绩效股可以为无审核人的步骤指定审核人。",
                   state_message="该审核{state}，没有待审核的步骤", state_code="review.not_in_review"),
            action("approve_on_behalf", "代录审核意见", roles=[Role.PERFORMANCE_SECTION],
                   states=[ReviewStatus.IN_REVIEW], denied="只有绩效股可以代录没有账号的审核人的意见。",
                   state_message="该审核{state}，没有待审核的步骤", state_code="review.not_in_review"),
        ],
    )

    class Meta:
        verbose_name = "审核"
        constraints = [
            # region first (issue #12: a table distributed by region keeps its unique keys per region)
            models.UniqueConstraint(fields=["region", "content_type", "object_id", "chain"], name="uniq_review_subject")
        ]
        indexes = [models.Index(fields=["region", "chain", "year", "status"]),
                   models.Index(fields=["content_type", "object_id", "chain"], name="review_subject")]

    def __str__(self):
        return self.title

    @property
    def current_step(self) -> dict | None:
        if self.status == ReviewStatus.IN_REVIEW and 0 <= self.position < len(self.steps):
            return self.steps[self.position]
        return None


class ReviewEvent(models.Model):
    """审核记录: one row per transition — from, to, actor, opinion, time. Each is also a row of the
    change log (``core.review._event``: the opinion joins the audit chain), in the review's region."""

    audit_region_via = "review"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=16, choices=ReviewAction.choices)
    from_status = models.CharField(max_length=16, choices=ReviewStatus.choices)
    to_status = models.CharField(max_length=16, choices=ReviewStatus.choices)
    from_step = models.CharField("原步骤", max_length=64, blank=True)
    to_step = models.CharField("新步骤", max_length=64, blank=True)
    #: None: the system (a step skipped by the chain's rule, the command line) — actor_name 系统
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_name = models.CharField(max_length=150)
    actor_role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    #: 代录: the member (e.g. an expert without a login) whose opinion the actor entered
    on_behalf_of = models.CharField("代录对象", max_length=150, blank=True)
    opinion = models.TextField("意见", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "id"]
        verbose_name = "审核记录"

    def __str__(self):
        return f"{self.get_action_display()}：{self.from_step or self.get_from_status_display()} → {self.to_step or self.get_to_status_display()}"


class InboxItem(models.Model):
    """待办: a piece of work waiting for one user. Opened by review steps, assignments and deadlines;
    closed (done_at set) when the work moves on, so it leaves the inbox."""

    region = models.ForeignKey("org.Region", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_items")
    kind = models.CharField("类型", max_length=32, choices=InboxKind.choices)
    title = models.CharField("事项", max_length=255)
    url = models.CharField("链接", max_length=255, blank=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    due_at = models.DateTimeField("截止时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["done_at", "due_at", "-created_at"]
        indexes = [
            models.Index(fields=["user", "done_at"]),
            models.Index(fields=["content_type", "object_id", "kind"]),
        ]
        verbose_name = "待办事项"

    def __str__(self):
        return self.title

    @property
    def is_overdue(self) -> bool:
        """Open and past its deadline (the inbox marks it 已逾期)."""
        from django.utils import timezone

        return self.done_at is None and self.due_at is not None and self.due_at < timezone.now()


class Job(models.Model):
    """A long piece of work (import, export, report) with progress the UI can poll."""

    kind = models.CharField("任务类型", max_length=64)
    title = models.CharField("任务", max_length=255)
    status = models.CharField("状态", max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    params = models.JSONField(default=dict)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.TextField("结果说明", blank=True)
    result = models.JSONField(default=dict, blank=True)
    file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    #: the uploaded file an import job reads
    input_file = models.FileField(upload_to="jobs/input/%Y/%m/", blank=True)
    #: the django-tasks result id of the task that runs the job
    task_id = models.CharField(max_length=64, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs")
    region = models.ForeignKey("org.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "后台任务"

    def __str__(self):
        return self.title

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(self.progress_done * 100 / self.progress_total))


class Attachment(models.Model):
    """附件: one uploaded file (申报书, 可研报告, 专家材料, 签字评分表, 佐证材料 …) of one owner record — a
    project, an assessment, a target sheet — through a generic key. The file itself lives outside the
    database, under ``settings.JIXIAO_ATTACHMENT_DIR`` (``path`` is relative to it); the row keeps its
    name, size and SHA-256. Who may see or add one is the owner's business: every read goes through the
    owner's scoping (``jixiao.core.attachments``), so the row has no scope rule of its own; ``region``
    and ``agency`` are the owner's, kept for partitioning and for the audit trail."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("org.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("content_type", "object_id")
    kind = models.CharField("类型", max_length=32, choices=AttachmentKind.choices)
    name = models.CharField("文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    path = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_by_name = models.CharField("上传人", max_length=150)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        ordering = ["content_type", "object_id", "kind", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        # the stored path starts with the region id; the region leads the key (tests/test_distribution.py)
        constraints = [models.UniqueConstraint(fields=["region", "path"], name="uniq_attachment_region_path")]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.name}"
