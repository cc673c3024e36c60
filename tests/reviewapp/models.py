"""A minimal reviewable object, installed only in the test settings, so the generic review-chain
machinery is tested before (and independently of) the domain apps that use it."""

from django.db import models
from django.urls import reverse

from jixiao.core.models import VersionedModel
from jixiao.core.roles import Role
from jixiao.core.scoping import ScopedQuerySet, action, scope_rule


def _not_secret(user, sheet) -> bool:
    return sheet.title != "secret"


class Sheet(VersionedModel):
    region = models.ForeignKey("org.Region", on_delete=models.PROTECT)
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT)
    title = models.CharField(max_length=100)
    # for the declared-actions tests (core/tests/test_actions.py); the review machinery ignores it
    status = models.CharField(max_length=16, default="draft",
                              choices=[("draft", "草稿"), ("approved", "已批复")])

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(view=set(Role), change=set(Role), actions=[
        action("submit", "提交", roles=[Role.AGENCY_PREPARER], states=["draft"]),
        action("publish", "公开", roles=[Role.PERFORMANCE_SECTION], states=["approved"], test=_not_secret,
               denied="只有绩效股可以公开。"),
        action("comment", "评论", roles=[Role.VIEWER, Role.PERFORMANCE_SECTION], scope="view"),
    ])

    class Meta:
        app_label = "reviewapp"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("home") + f"#sheet-{self.pk}"
