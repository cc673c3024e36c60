"""The per-model access matrix (architecture.md house style 11), to be inherited by every app:
list / detail / create / edit / delete × anonymous / no permission / in scope / out of scope.

A subclass names its URLs, how to get an in-scope object, a valid create and edit form, and which
personas play each part. The matrix then checks not just the status codes but the data: a refused
create writes nothing, a refused edit changes nothing, a refused read shows nothing of the object.
Delete is checked too: when a model offers no delete (records are deactivated instead), the matrix
asserts that no delete route exists for it.
"""

from __future__ import annotations

from django.test import Client
from django.urls import NoReverseMatch, reverse


class ActionMatrix:
    """Only the declared actions × every persona, for a model without pages of its own (an
    invitation answered on its draw's and the expert's pages). ``ModelMatrix`` includes it."""

    model = None
    action_personas: dict[str, set[str]] = {}

    def action_object(self, world, action: str):
        raise NotImplementedError

    # --- declared actions (every persona) ------------------------------------------------------
    def test_declared_actions(self, world):
        from jixiao.core.scoping import check, declared_actions, permits
        from jixiao.org.personas import PERSONAS

        declared = declared_actions(self.model)
        assert set(self.action_personas) == set(declared), (
            f"the matrix must list every declared action of {self.model.__name__}: "
            f"missing {sorted(set(declared) - set(self.action_personas))}, "
            f"unknown {sorted(set(self.action_personas) - set(declared))}")
        for name, allowed in self.action_personas.items():
            obj = self.action_object(world, name)
            for persona in PERSONAS:
                user = world.user(persona.username)
                expected = persona.username in allowed
                assert permits(user, obj, name) is expected, f"{persona.username} {name}: expected {expected}"
                if not expected:
                    try:
                        check(user, obj, name)
                    except Exception as exc:  # PermissionDenied or TransitionError, never a pass
                        assert exc.__class__.__name__ in ("PermissionDenied", "TransitionError"), exc
                    else:
                        raise AssertionError(f"check() let {persona.username} {name}")


class ModelMatrix(ActionMatrix):
    model = None
    app = ""  # URL namespace
    name = ""  # URL name stem: <name>_list, <name>_detail, <name>_create, <name>_edit, <name>_delete
    in_scope = ""  # a persona who may view and edit the object
    no_permission = ""  # a persona whose role may not use these pages at all (403)
    out_of_scope = ""  # a persona whose role may, but whose scope does not include the object (404)
    viewer_only = ""  # optional: a persona who may view but not edit (edit → 404 or 403)
    has_create = True
    has_delete = False
    #: Declared actions (issue #8): action name → the personas that may do it to the object in the
    #: state ``action_object`` puts it in; every other persona must be refused (role, scope or
    #: state) by the same declaration the service guard reads. Every declared action of the model
    #: must appear here, so a new action cannot go untested.
    action_personas: dict[str, set[str]] = {}

    # --- to override ---------------------------------------------------------------------------
    def get_object(self, world):
        raise NotImplementedError

    def create_data(self, world) -> dict:
        raise NotImplementedError

    def edit_data(self, world, obj) -> dict:
        raise NotImplementedError

    def label(self, obj) -> str:
        return str(obj)

    def action_object(self, world, action: str):
        """The object in a state where ``action`` is possible (default: ``get_object``)."""
        return self.get_object(world)

    def changed_field(self) -> str:
        return "name"

    # --- helpers -------------------------------------------------------------------------------
    def url(self, action, obj=None):
        kwargs = {"pk": obj.pk} if obj is not None else {}
        return reverse(f"{self.app}:{self.name}_{action}", kwargs=kwargs)

    def client(self, world, persona):
        c = Client()
        if persona:
            c.force_login(world.user(persona))
        return c

    # --- list ----------------------------------------------------------------------------------
    def test_list(self, world):
        obj = self.get_object(world)
        assert self.client(world, None).get(self.url("list")).status_code == 302
        assert self.client(world, self.no_permission).get(self.url("list")).status_code == 403
        r = self.client(world, self.in_scope).get(self.url("list"))
        assert r.status_code == 200 and self.label(obj) in r.content.decode()
        r = self.client(world, self.out_of_scope).get(self.url("list"))
        assert r.status_code == 200 and self.label(obj) not in r.content.decode()

    # --- detail --------------------------------------------------------------------------------
    def test_detail(self, world):
        obj = self.get_object(world)
        url = self.url("detail", obj)
        assert self.client(world, None).get(url).status_code == 302
        for persona in (self.no_permission, self.out_of_scope):
            r = self.client(world, persona).get(url)
            assert r.status_code in (403, 404), persona
            assert self.label(obj) not in r.content.decode(), f"{persona} sees the object on a refusal page"
        r = self.client(world, self.in_scope).get(url)
        assert r.status_code == 200 and self.label(obj) in r.content.decode()

    # --- create --------------------------------------------------------------------------------
    def test_create(self, world):
        if not self.has_create:
            with_route = True
            try:
                self.url("create")
            except NoReverseMatch:
                with_route = False
            assert not with_route, "the matrix says there is no create page, but a route exists"
            return
        data = self.create_data(world)
        before = self.model.objects.count()
        assert self.client(world, None).post(self.url("create"), data).status_code == 302
        assert self.client(world, self.no_permission).post(self.url("create"), data).status_code == 403
        assert self.model.objects.count() == before, "a refused create wrote a row"
        r = self.client(world, self.in_scope).post(self.url("create"), data)
        assert r.status_code == 302, r.content.decode()[:2000]
        assert self.model.objects.count() == before + 1

    # --- edit ----------------------------------------------------------------------------------
    def test_edit(self, world):
        obj = self.get_object(world)
        url = self.url("edit", obj)
        data = self.edit_data(world, obj)
        field = self.changed_field()
        original = getattr(obj, field)
        assert self.client(world, None).post(url, data).status_code == 302
        for persona in (self.no_permission, self.out_of_scope, self.viewer_only):
            if not persona:
                continue
            r = self.client(world, persona).post(url, data)
            assert r.status_code in (403, 404), persona
            obj.refresh_from_db()
            assert getattr(obj, field) == original, f"a refused edit by {persona} changed the object"
        r = self.client(world, self.in_scope).post(url, data)
        assert r.status_code == 302, r.content.decode()[:2000]
        obj.refresh_from_db()
        assert getattr(obj, field) == data[field]
        # the same form again carries a stale version now: refused, nothing changed
        stale = dict(data, **{field: data[field] + "（再改）"})
        r = self.client(world, self.in_scope).post(url, stale)
        assert r.status_code == 200 and "已被他人修改" in r.content.decode()
        obj.refresh_from_db()
        assert getattr(obj, field) == data[field]

    # --- delete --------------------------------------------------------------------------------
    def test_delete(self, world):
        try:
            url = self.url("delete", self.get_object(world))
        except NoReverseMatch:
            assert not self.has_delete, "the matrix expects a delete page but none exists"
            return
        assert self.has_delete, f"a delete route {url} exists but the matrix does not test it"
