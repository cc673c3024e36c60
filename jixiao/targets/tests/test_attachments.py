"""佐证材料 on a target sheet (core.attachments): added while the sheet may be edited; once submitted
the set is what the reviewers read, so adding one is refused with the sheet's own reason."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jixiao.core.models import Attachment
from jixiao.targets import services
from jixiao.targets.tests.factories import make_sheet

PDF = b"%PDF-1.7\nevidence"


def _upload(client, sheet):
    return client.post(reverse("core:attachment_upload", kwargs={"owner": "targets.targetsheet", "pk": sheet.pk}),
                       {"kind": "evidence", "file": SimpleUploadedFile("测算依据.pdf", PDF)})


@pytest.mark.django_db
def test_evidence_while_editable_then_refused_after_submit(world, login):
    sheet = make_sheet(world)
    c = login("preparer")
    assert _upload(c, sheet).status_code == 302
    assert Attachment.objects.filter(kind="evidence", name="测算依据.pdf").count() == 1
    assert "测算依据.pdf" in c.get(sheet.get_absolute_url()).content.decode()
    sheet = services.submit_sheet(actor=world.user("preparer"), sheet=sheet, version=sheet.version)
    response = _upload(c, sheet)
    assert response.status_code == 302
    assert any("附件未上传" in str(m) for m in response.wsgi_request._messages)
    assert Attachment.objects.count() == 1
    # the reviewer of the current step reads it
    att = Attachment.objects.get()
    assert login("unit_head").get(reverse("core:attachment_download", kwargs={"pk": att.pk})).status_code == 200
