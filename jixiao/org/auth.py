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
