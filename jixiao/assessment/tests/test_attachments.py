"""附件 on an ex-ante assessment (core.attachments): the performance section adds materials for the
experts and a signed score sheet; the drawn expert reads them, the agency cannot add any."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jixiao.assessment.tests.helpers import scoring
from jixiao.core.models import Attachment

PDF = b"%PDF-1.7\nscore sheet"


def _upload(client, a, kind, name="评分表.pdf"):
    return client.post(reverse("core:attachment_upload", kwargs={"owner": "assessment.exanteassessment", "pk": a.pk}),
                       {"kind": kind, "file": SimpleUploadedFile(name, PDF)})


@pytest.mark.django_db
def test_performance_section_adds_materials_and_the_signed_score_sheet(world, login):
    a = scoring(world)
    c = login("perf_section")
    assert _upload(c, a, "expert_material", "项目材料.pdf").status_code == 302
    assert _upload(c, a, "score_sheet", "赵教授签字评分表.pdf").status_code == 302
    assert sorted(Attachment.objects.values_list("kind", "name")) == [
        ("expert_material", "项目材料.pdf"), ("score_sheet", "赵教授签字评分表.pdf")]
    page = c.get(a.get_absolute_url()).content.decode()
    assert "赵教授签字评分表.pdf" in page and "专家签字评分表" in page
    # the drawn expert reads the materials through the assessment's scoping
    att = Attachment.objects.get(kind="expert_material")
    assert login("expert").get(reverse("core:attachment_download", kwargs={"pk": att.pk})).content == PDF
    assert login("far_perf_section").get(reverse("core:attachment_download", kwargs={"pk": att.pk})).status_code == 404
    # the agency sees the assessment but adds nothing to it
    assert _upload(login("preparer"), a, "score_sheet").status_code == 403
    assert Attachment.objects.count() == 2
