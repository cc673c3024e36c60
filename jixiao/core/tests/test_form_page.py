"""viewkit.form_page: the form → service → message → redirect shape, and a refusal onto the form."""

from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from jixiao.core.errors import ValidationFailed
from jixiao.core.viewkit import form_page


class NameForm(forms.Form):
    name = forms.CharField()


def _request(method="get", data=None):
    rf = RequestFactory()
    request = getattr(rf, method)("/x/", data or {})
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _page(request, run):
    form = NameForm(request.POST or None)
    return form_page(request, form=form, run=run, success=lambda r: f"已保存 {r}", redirect_to="/done/",
                     title="测试表单", cancel="/back/")


def test_get_renders_the_form(db):
    r = _page(_request(), run=lambda d: 1 / 0)
    assert r.status_code == 200 and "测试表单" in r.content.decode()


def test_valid_post_calls_the_service_once_and_redirects(db):
    calls = []
    request = _request("post", {"name": "甲"})
    r = _page(request, run=lambda d: calls.append(d["name"]) or "甲")
    assert calls == ["甲"] and r.status_code == 302 and r["Location"] == "/done/"
    assert [str(m) for m in request._messages] == ["已保存 甲"]


def test_a_refusal_goes_onto_the_form(db):
    def refuse(d):
        raise ValidationFailed({"name": ["名称已被使用"], "other": ["整体不对"]})

    r = _page(_request("post", {"name": "甲"}), run=refuse)
    body = r.content.decode()
    assert r.status_code == 200 and "名称已被使用" in body and "整体不对" in body


def test_an_invalid_form_never_calls_the_service(db):
    r = _page(_request("post", {}), run=lambda d: 1 / 0)
    assert r.status_code == 200
