"""附件 on projects (core.attachments): upload through the page, listed on the project page, downloaded
only through the project's scoping and recorded as an export, refused types/sizes/roles write nothing."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jixiao.core import attachments
from jixiao.core.actors import SYSTEM
from jixiao.core.models import Attachment, ChangeLog, SecurityEvent
from jixiao.projects.tests.factories import make_project

PDF = b"%PDF-1.7\n" + b"x" * 2000 + b"\n%%EOF\n"


def _files() -> set[Path]:
    root = Path(settings.JIXIAO_ATTACHMENT_DIR)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _upload(client, project, name="申报书.pdf", content=PDF, kind="application"):
    url = reverse("core:attachment_upload", kwargs={"owner": "projects.project", "pk": project.pk})
    return client.post(url, {"kind": kind, "file": SimpleUploadedFile(name, content)})


@pytest.mark.django_db
def test_preparer_uploads_a_proposal_listed_and_downloaded(world, login, django_capture_on_commit_callbacks):
    project = make_project(world)
    c = login("preparer")
    before = _files()
    response = _upload(c, project)
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    att = Attachment.objects.get()
    assert (att.kind, att.name, att.size, att.region_id, att.agency_id) == (
        "application", "申报书.pdf", len(PDF), project.region_id, project.agency_id)
    stored = _files() - before
    assert len(stored) == 1 and stored.pop().read_bytes() == PDF  # outside the database
    assert not att.path.startswith("/") and str(project.region_id) in att.path
    assert ChangeLog.objects.filter(object_type="core.attachment", object_id=str(att.pk), action="create").exists()

    page = c.get(project.get_absolute_url()).content.decode()
    assert "申报书.pdf" in page and reverse("core:attachment_download", kwargs={"pk": att.pk}) in page

    exports = SecurityEvent.objects.filter(code="export").count()
    for persona in ("preparer", "unit_head", "dept_reviewer", "section_reviewer", "perf_section", "leader"):
        got = login(persona).get(reverse("core:attachment_download", kwargs={"pk": att.pk}))
        assert got.status_code == 200, persona
        assert got.content == PDF and got["Content-Type"] == "application/pdf"
    events = SecurityEvent.objects.filter(code="export").order_by("-seq")
    assert events.count() == exports + 6
    assert events.first().detail["what"] == "attachment" and events.first().detail["name"] == "申报书.pdf"


@pytest.mark.django_db
def test_download_follows_the_owner_scoping(world, login):
    project = make_project(world)
    att = attachments.upload(actor=SYSTEM, owner=project, kind="feasibility",
                             file=SimpleUploadedFile("可研报告.pdf", PDF))
    url = reverse("core:attachment_download", kwargs={"pk": att.pk})
    exports = SecurityEvent.objects.filter(code="export").count()
    # another agency's preparer, another county's: the project is not theirs — the same 404 as a missing file
    assert login("preparer_agri").get(url).status_code == 404
    assert login("far_preparer").get(url).status_code == 404
    assert login("preparer").get(reverse("core:attachment_download", kwargs={"pk": att.pk + 999})).status_code == 404
    # a role that reads no project at all
    assert login("sysadmin").get(url).status_code == 403
    assert login("expert").get(url).status_code == 403
    assert SecurityEvent.objects.filter(code="export").count() == exports  # nothing was handed out


@pytest.mark.django_db
@pytest.mark.parametrize("name, content, message", [
    ("申报书.exe", b"MZ\x90\x00" + b"\x00" * 100, "不支持的文件类型“.exe”"),
    ("申报书.pdf", b"MZ\x90\x00" + b"\x00" * 100, "文件内容与扩展名 .pdf 不符"),
    ("申报书.pdf", b"", "文件是空的"),
])
def test_bad_files_are_refused_in_chinese_and_nothing_is_kept(world, login, name, content, message):
    project = make_project(world)
    before = _files()
    response = _upload(login("preparer"), project, name=name, content=content)
    assert response.status_code == 302
    shown = [str(m) for m in response.wsgi_request._messages]
    assert any(message in m for m in shown), shown
    assert not Attachment.objects.exists() and _files() == before


@pytest.mark.django_db
def test_size_limit(world, login, settings):
    settings.JIXIAO_ATTACHMENT_MAX_MB = 1
    project = make_project(world)
    response = _upload(login("preparer"), project, content=b"%PDF-" + b"0" * (1024 * 1024))
    assert any("文件过大" in str(m) for m in response.wsgi_request._messages)
    assert not Attachment.objects.exists()
    assert _upload(login("preparer"), project, content=b"%PDF-" + b"0" * (1024 * 1024 - 10)).status_code == 302
    assert Attachment.objects.count() == 1


@pytest.mark.django_db
def test_who_may_not_edit_the_project_may_not_attach(world, login):
    project = make_project(world)
    assert _upload(login("unit_head"), project).status_code == 403  # sees the project, may not change it
    assert _upload(login("leader"), project).status_code == 403
    assert _upload(login("preparer_agri"), project).status_code == 404  # not theirs at all
    assert _upload(login("perf_section"), project, kind="evidence").status_code == 302  # a kind a project takes not
    assert not Attachment.objects.exists()
    # the page offers the form only to who may use it
    assert 'data-testid="attachment-upload"' in login("preparer").get(project.get_absolute_url()).content.decode()
    assert 'data-testid="attachment-upload"' not in login("unit_head").get(project.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_delete_removes_row_and_file(world, login, django_capture_on_commit_callbacks):
    project = make_project(world)
    att = attachments.upload(actor=world.user("preparer"), owner=project, kind="application",
                             file=SimpleUploadedFile("申报书.pdf", PDF))
    path = attachments.path_of(att)
    assert path.exists()
    url = reverse("core:attachment_delete", kwargs={"pk": att.pk})
    assert login("unit_head").post(url).status_code == 403
    assert Attachment.objects.filter(pk=att.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert login("preparer").post(url).status_code == 302
    assert not Attachment.objects.filter(pk=att.pk).exists() and not path.exists()
    assert ChangeLog.objects.filter(object_type="core.attachment", object_id=str(att.pk), action="delete").exists()
