"""The system actor (issue #8): who acts when no person does — the command line, installation, the
demo builder, scheduled jobs, and automatic steps of a review chain.

Every service takes an explicit ``actor``. A person is a ``User``; everything else is :data:`SYSTEM`.
``actor=None`` is refused (``TypeError``) by the ``@service`` decorator before the function runs, by
scoping, by the permission checks and by the audit log, so a forgotten actor fails loudly instead of
silently skipping a scope or permission check. Scoping (``for_user``), the permission checks
(``can`` / ``permits`` / ``check``) and the audit log (actor 系统) all recognise :data:`SYSTEM`:
it may do anything a declared action allows in the object's current state, in every region — the
command line has the whole installation, as it has always had through ``manage.py``.
"""

from __future__ import annotations


class SystemActor:
    """A stand-in for a user with no row in the user table (``pk`` is ``None``)."""

    pk = None
    id = None
    role = "system"
    region_id = None
    region = None
    agency_id = None
    agency = None
    section_id = None
    is_active = True
    is_authenticated = True
    is_anonymous = False
    is_system = True
    display_name = "系统"
    username = "system"

    def get_username(self) -> str:
        return self.username

    def __str__(self) -> str:
        return self.display_name

    def __repr__(self) -> str:
        return "SYSTEM"

    def __reduce__(self):  # a single instance, also across pickling (jobs, caches)
        return "SYSTEM"


SYSTEM = SystemActor()


def is_system(actor) -> bool:
    return actor is SYSTEM


def person(actor):
    """The actor as a user row for foreign keys (``created_by=person(actor)``): ``None`` for SYSTEM."""
    return None if actor is SYSTEM else actor


def require_actor(actor, where: str) -> None:
    """Refuse a missing actor loudly: a person or :data:`SYSTEM`, never ``None``."""
    if actor is None:
        raise TypeError(f"{where}: actor is None — pass the acting user, or jixiao.core.actors.SYSTEM "
                        "for the command line, installation, demo data and scheduled jobs")
