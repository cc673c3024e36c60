"""A minimal reviewable object, installed only in the test settings, so the generic review-chain
machinery is tested before (and independently of) the domain apps that use it."""

from django.db import models
from django.urls import reverse

from jixiao.core.models import VersionedModel
from jixiao.core.roles import Role
from jixiao.core.scoping import ScopedQuerySet, scope_rule


class Sheet(VersionedModel):
    region = models.ForeignKey("org.Region", on_delete=models.PROTECT)
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT)
    title = models.CharField(max_length=100)

    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(view=set(Role), change=set(Role))

    class Meta:
        app_label = "reviewapp"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("home") + f"#sheet-{self.pk}"
