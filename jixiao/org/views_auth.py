"""Login, logout and own password: thin views over org.services."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jixiao.core.audit import client_ip
from jixiao.core.errors import ValidationFailed
from jixiao.org import services
from jixiao.org.forms_auth import LoginForm


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        services.record_login_success(user=form.get_user(), ip=client_ip(self.request))
        return response


@require_POST
def logout_view(request):
    from django.contrib.auth import logout

    if request.user.is_authenticated:
        services.record_logout(user=request.user, ip=client_ip(request))
    logout(request)
    messages.info(request, "您已安全退出。")
    return redirect("login")


@login_required
def password_change(request):
    errors = {}
    if request.method == "POST" and request.POST.get("new_password") != request.POST.get("new_password2"):
        errors = {"new_password2": ["两次输入的新密码不一致"]}
    elif request.method == "POST":
        try:
            services.change_own_password(
                actor=request.user,
                old_password=request.POST.get("old_password", ""),
                new_password=request.POST.get("new_password", ""),
                ip=client_ip(request),
            )
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改。")
            return redirect("home")
    return render(request, "registration/password_change.html",
                  {"errors": errors, "required": request.user.must_change_password})
