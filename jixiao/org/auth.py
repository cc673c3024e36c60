"""Authentication rules of F14: password policy, login lockout."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.utils import timezone


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django 5.2 changed this message's msgid and its Chinese catalogue was not updated, so users
    would see it in English; the message is stated here instead."""

    def get_error_message(self):
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少 {self.min_length} 位。"


class CharacterClassValidator:
    """At least three of: lower-case letters, upper-case letters, digits, symbols (GB/T 22239 等保
    practice); length is checked by MinimumLengthValidator (≥ 10)."""

    def validate(self, password, user=None):
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < 3:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、符号中的至少三类。", code="password_classes"
            )

    def get_help_text(self):
        return "密码至少 10 位，并包含大写字母、小写字母、数字、符号中的至少三类。"


def is_locked(user) -> bool:
    return bool(user.locked_until and user.locked_until > timezone.now())


def source_is_throttled(ip: str) -> bool:
    """Whether ``ip`` has failed JIXIAO_SOURCE_LOCKOUT_ATTEMPTS logins within the last
    JIXIAO_LOCKOUT_MINUTES (any account names, known or not: throttling by source address, issue #11).
    While it is, every login from the address is refused without checking the password."""
    from datetime import timedelta

    from django.conf import settings

    from jixiao.core.choices import SecurityEventCode
    from jixiao.core.models import SecurityEvent

    if not ip:
        return False
    since = timezone.now() - timedelta(minutes=settings.JIXIAO_LOCKOUT_MINUTES)
    failures = SecurityEvent.objects.filter(ip=ip[:64], code=SecurityEventCode.LOGIN_FAILED, created_at__gte=since)
    return failures[:settings.JIXIAO_SOURCE_LOCKOUT_ATTEMPTS].count() >= settings.JIXIAO_SOURCE_LOCKOUT_ATTEMPTS


def installation_region_id() -> int | None:
    """The region a failed login is recorded under when the name tried belongs to nobody: the
    installation's top region (a county's own install: the county; a province's: the province), so its
    security and audit administrators see every failed login (issue #11)."""
    from django.db.models import Case, IntegerField, Value, When

    from jixiao.org.choices import RegionLevel
    from jixiao.org.models import Region

    rank = Case(*(When(level=level, then=Value(i)) for i, level in enumerate(RegionLevel.values)),
                default=Value(len(RegionLevel.values)), output_field=IntegerField())
    return Region.objects.filter(parent__isnull=True).order_by(rank, "code").values_list("pk", flat=True).first()


class LockoutBackend(ModelBackend):
    """The model backend that also refuses a locked account (even with the right password)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        # usernames are unique regardless of case, so "Preparer" is the login "preparer"
        if username:
            from jixiao.org.models import User

            stored = User.objects.filter(username__iexact=username).values_list("username", flat=True).first()
            username = stored or username
        return super().authenticate(request, username=username, password=password, **kwargs)

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not is_locked(user)


class KnownPasswordValidator:
    """Passwords that are public or guessed first: the demo logins' password (printed by ``make run``
    and in the README) and the patterns people use to pass a three-class rule (``Admin@123``,
    ``P@ssw0rd``, ``Qwer1234!`` …, in ``org/data/known_passwords.py``); compared ignoring case. Django's
    CommonPasswordValidator covers the 20,000 most common passwords besides. The demo sets its own
    logins through ``services.create_user(..., demo=True)`` (SYSTEM only), the one path that skips this."""

    def validate(self, password, user=None):
        from jixiao.org.data.known_passwords import known_passwords

        if (password or "").casefold() in known_passwords():
            raise ValidationError("该密码是公开或常见的密码（如演示密码），请换一个。", code="password_known")

    def get_help_text(self):
        return "不能使用公开或常见的密码（如演示密码）。"


class PasswordHistoryValidator:
    """The new password differs from the current one and the previous ``JIXIAO_PASSWORD_HISTORY``
    (5) ones (等保 practice: 口令定期更换且不得重复使用), compared with the stored hashes."""

    def validate(self, password, user=None):
        from django.conf import settings
        from django.contrib.auth.hashers import check_password

        if user is None or user.pk is None:
            return
        if user.password and check_password(password, user.password):
            raise ValidationError("新密码不能与当前密码相同。", code="password_current")
        recent = user.password_history.values_list("password", flat=True)[: settings.JIXIAO_PASSWORD_HISTORY + 1]
        if any(check_password(password, encoded) for encoded in recent):
            raise ValidationError(f"新密码不能与最近 {settings.JIXIAO_PASSWORD_HISTORY} 次用过的密码相同。",
                                  code="password_reused")

    def get_help_text(self):
        return "不能与当前密码及最近几次用过的密码相同。"
