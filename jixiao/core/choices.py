from django.db import models


class ChangeAction(models.TextChoices):
    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    DELETE = "delete", "删除"


class SecurityEventCode(models.TextChoices):
    LOGIN = "login", "登录"
    LOGOUT = "logout", "退出"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKED = "locked", "账号锁定"
    UNLOCKED = "unlocked", "解除锁定"
    ROLE_CHANGE = "role_change", "角色变更"
    PASSWORD_CHANGE = "password_change", "修改密码"
    PASSWORD_RESET = "password_reset", "重置密码"
    EXPORT = "export", "数据导出"
    IMPORT = "import", "数据导入"
    TOKEN_CREATED = "token_created", "创建API令牌"
    AUDIT_VERIFIED = "audit_verified", "审计日志校验"
    AUDIT_KEYED = "audit_keyed", "审计链启用密钥"
    AUDIT_ALARM = "audit_alarm", "审计链告警"
    TOKEN_REVOKED = "token_revoked", "吊销API令牌"
    ACTIVATION_CODE = "activation_code", "发放激活码"
    LOGIN_THROTTLED = "login_throttled", "来源地址限制登录"


class AttachmentKind(models.TextChoices):
    """What an uploaded file is to its owner (core.attachments); each owner model registers the kinds
    it takes."""

    APPLICATION = "application", "申报书"
    FEASIBILITY = "feasibility", "可行性研究报告"
    EXPERT_MATERIAL = "expert_material", "专家评审材料"
    SCORE_SHEET = "score_sheet", "专家签字评分表"
    EVIDENCE = "evidence", "佐证材料"
    OTHER = "other", "其他附件"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    IN_REVIEW = "in_review", "审核中"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已批复"


class ReviewAction(models.TextChoices):
    SUBMIT = "submit", "提交"
    APPROVE = "approve", "通过"
    RETURN = "return", "退回"
    SKIP = "skip", "跳过（无审核人）"
    ASSIGN = "assign", "指定审核人"
    PROXY_APPROVE = "proxy_approve", "代录通过"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class InboxKind(models.TextChoices):
    REVIEW = "review", "审核"
    ASSIGNMENT = "assignment", "任务分配"
    DEADLINE = "deadline", "截止提醒"
