from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm

from jixiao.core.audit import client_ip
from jixiao.org import services
from jixiao.org.auth import is_locked, source_is_throttled
from jixiao.org.models import User


class LoginForm(AuthenticationForm):
    """Login that counts failures and locks after the configured number. A wrong password, an
    unknown account, a locked account and a throttled source address get the same answer (no account
    enumeration, issue #11):
    whether an account exists or is locked is the security administrator's to see, not the caller's."""

    #: the one refusal for a wrong name, a wrong password and a locked account
    REFUSED = ("账号或密码不正确，或账号已被临时锁定。连续输错 %(attempts)s 次将锁定 %(minutes)s 分钟；"
               "如需提前解除，请联系安全保密管理员。")
    error_messages = {
        "invalid_login": REFUSED,
        "inactive": "该账号已停用，请联系系统管理员。",
        "locked": REFUSED,
    }

    def clean(self):
        from django.conf import settings

        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        ip = client_ip(self.request)
        if source_is_throttled(ip):  # too many failures from this address: the password is not tried
            services.record_source_throttled(username=username, ip=ip)
            raise forms.ValidationError(self.error_messages["locked"], code="locked",
                                        params={"attempts": settings.JIXIAO_LOCKOUT_ATTEMPTS,
                                                "minutes": settings.JIXIAO_LOCKOUT_MINUTES})
        existing = User.objects.filter(username__iexact=username).first()
        if existing is not None and is_locked(existing):
            services.record_login_failure(username=username, ip=ip)
            raise forms.ValidationError(self.error_messages["locked"], code="locked",
                                        params={"attempts": settings.JIXIAO_LOCKOUT_ATTEMPTS,
                                                "minutes": settings.JIXIAO_LOCKOUT_MINUTES})
        self.user_cache = authenticate(self.request, username=username, password=password)
        if self.user_cache is None and existing is not None and not existing.is_active \
                and existing.check_password(password):
            raise forms.ValidationError(self.error_messages["inactive"], code="inactive")
        if self.user_cache is None:
            locked = services.record_login_failure(username=username, ip=ip)
            if locked:
                raise forms.ValidationError(self.error_messages["locked"], code="locked",
                                            params={"attempts": settings.JIXIAO_LOCKOUT_ATTEMPTS,
                                                "minutes": settings.JIXIAO_LOCKOUT_MINUTES})
            raise forms.ValidationError(
                self.error_messages["invalid_login"], code="invalid_login",
                params={"attempts": settings.JIXIAO_LOCKOUT_ATTEMPTS, "minutes": settings.JIXIAO_LOCKOUT_MINUTES},
            )
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
