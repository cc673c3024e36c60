"""附件 (issue #10): one attachment mechanism for every record that takes files — 申报书 and 可研报告 on
projects, materials for the experts and the signed score sheet (代录) on ex-ante assessments, evidence
on target sheets.

* An owner model registers the kinds it takes and, per kind, the action (CRUD or declared) that lets a
  user add or remove one: ``attachments.register(Project, kinds={AttachmentKind.APPLICATION: "change"})``
  in its app's ``ready()``. Reading follows the owner's ``view`` scope.
* :func:`upload` (a service) checks the user may do that action to the owner, checks the file's type
  (extension *and* leading bytes, :func:`file_problem`) and size (``JIXIAO_ATTACHMENT_MAX_MB``), stores
  it under ``JIXIAO_ATTACHMENT_DIR`` (never in the database, never under a URL the web server serves)
  and writes the change-log row. :func:`remove` removes one the same way.
* :func:`fetch` is the one way to reach an attachment by id: the row, then its owner through the
  owner's scoping (``get_for_user``) — a file of a record the user may not see answers the same 404 as
  a missing one. The download view records a security event ``export`` (what=attachment).
* Pages show the list with ``{% attachment_panel obj %}`` (a builtin tag) (the owner page's
  context needs ``request``); the panel offers upload only for the kinds the user may add.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404

from jixiao.core import audit
from jixiao.core.actors import person
from jixiao.core.choices import AttachmentKind
from jixiao.core.errors import ValidationFailed
from jixiao.core.scoping import ACTIONS, can, check, get_for_user, in_scope
from jixiao.core.services import service

#: extension → the leading bytes a genuine file of that type starts with (any of them). Office and
#: WPS documents are either OLE2 (.doc/.xls/.wps/.et) or zip containers (.docx/.xlsx/.ofd, newer WPS).
_PDF = (b"%PDF-",)
_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": _PDF,
    "ofd": _ZIP,
    "doc": _OLE,
    "docx": _ZIP,
    "wps": _OLE + _ZIP,
    "xls": _OLE,
    "xlsx": _ZIP,
    "et": _OLE + _ZIP,
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
ALLOWED_TEXT = "PDF、OFD、Word（.doc/.docx）、WPS、Excel（.xls/.xlsx）、JPG、PNG"
CONTENT_TYPES = {
    "pdf": "application/pdf", "ofd": "application/ofd", "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "wps": "application/octet-stream", "et": "application/octet-stream", "jpg": "image/jpeg", "jpeg": "image/jpeg",
    "png": "image/png",
}
NAME_MAX = 255


def extension(name: str) -> str:
    return name.rsplit(".", 1)[1].lower() if "." in name else ""


def file_problem(name: str, head: bytes, size: int, max_bytes: int) -> str | None:
    """Why a file may not be attached, in Chinese, or ``None``: an empty file, one over ``max_bytes``,
    an extension outside the whitelist, or content that is not what its extension says (an .exe
    renamed .pdf). Pure: the name, the first bytes, the size and the limit."""
    if size <= 0:
        return "文件是空的，请重新选择。"
    if size > max_bytes:
        return f"文件过大（{_mb(size)}），附件最大 {_mb(max_bytes)}。"
    ext = extension(name)
    if ext not in SIGNATURES:
        return f"不支持的文件类型“{('.' + ext) if ext else '无扩展名'}”，可上传：{ALLOWED_TEXT}。"
    if not any(head.startswith(sig) for sig in SIGNATURES[ext]):
        return f"文件内容与扩展名 .{ext} 不符（可能已损坏或被改名），未上传。"
    return None


def _mb(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.1f} MB" if value < 10 else f"{value:.0f} MB"


def max_bytes() -> int:
    return settings.JIXIAO_ATTACHMENT_MAX_MB * 1024 * 1024


# --- owners -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Owner:
    model: type[models.Model]
    kinds: dict[str, str]  # kind → the action (CRUD or declared) that adds/removes one
    view: str = "view"


OWNERS: dict[str, Owner] = {}


def _key(model) -> str:
    return model._meta.label_lower


def register(model, *, kinds: dict, view: str = "view") -> None:
    """``model`` takes attachments of ``kinds`` (kind → the owner's action that lets a user add one)."""
    for kind, act in kinds.items():
        AttachmentKind(kind)
        if act not in ACTIONS:
            model.scope.declared(act)
    OWNERS[_key(model)] = Owner(model=model, kinds={str(k): a for k, a in kinds.items()}, view=view)


def owner_of(model) -> Owner:
    try:
        return OWNERS[_key(model)]
    except KeyError:
        raise ValueError(f"{_key(model)} takes no attachments (attachments.register it)") from None


def _may(user, owner_obj, act: str) -> bool:
    """The user may do ``act`` (CRUD or declared) to this owner record now."""
    from jixiao.core.scoping import permits

    if act in ACTIONS:
        return can(user, type(owner_obj), act) and in_scope(owner_obj, user, act)
    return permits(user, owner_obj, act)


def kinds_for(user, owner_obj) -> list[tuple[str, str]]:
    """The kinds (value, label) this user may add to this owner record now."""
    reg = owner_of(type(owner_obj))
    return [(k, AttachmentKind(k).label) for k, act in reg.kinds.items() if _may(user, owner_obj, act)]


def _role_and_scope_allow_any(user, owner_obj) -> bool:
    """Some kind's action is open to the user's role and row scope on this record (its state aside:
    a state refusal is the service's to explain)."""
    model = type(owner_obj)
    return any(can(user, model, act) and in_scope(owner_obj, user, model.scope.row_action(act))
               for act in owner_of(model).kinds.values())


def _guard(actor, owner_obj, kind: str) -> None:
    reg = owner_of(type(owner_obj))
    if kind not in reg.kinds:
        raise ValidationFailed({"kind": [f"{owner_obj._meta.verbose_name}不接受“{AttachmentKind(kind).label}”类附件。"
                                         if kind in AttachmentKind.values else "附件类型无效。"]})
    act = reg.kinds[kind]
    if act in ACTIONS:
        if not (can(actor, type(owner_obj), act) and in_scope(owner_obj, actor, act)):
            raise PermissionDenied(f"您无权为该{owner_obj._meta.verbose_name}上传或删除附件。")
    else:
        check(actor, owner_obj, act)


def _follow(obj, lookup: str | None):
    """The id at the end of a scope-rule lookup (``"project__agency"``) from ``obj``."""
    if not lookup or lookup in ("*", "self"):
        return obj.pk if lookup == "self" else None
    *hops, last = lookup.split("__")
    for hop in hops:
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def for_owner(owner_obj):
    """The attachments of a record the caller has already fetched through its scoping."""
    from django.contrib.contenttypes.models import ContentType

    from jixiao.core.models import Attachment

    ct = ContentType.objects.get_for_model(type(owner_obj))
    return Attachment.objects.filter(content_type=ct, object_id=owner_obj.pk).select_related("content_type")


def fetch(user, pk):
    """The attachment ``pk`` if the user may view its owner (the owner's scoping), else 404 — the same
    answer for a missing file and one of a record out of the user's scope. Returns
    ``(attachment, owner)``; removing it is :func:`remove`'s to allow or refuse."""
    from jixiao.core.models import Attachment

    try:
        att = Attachment.objects.select_related("content_type").get(pk=pk)
    except (Attachment.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("附件不存在或您无权访问。") from None
    model = att.content_type.model_class()
    reg = OWNERS.get(_key(model)) if model is not None else None
    if reg is None:
        raise Http404("附件不存在或您无权访问。")
    from jixiao.core.viewkit import require

    require(user, model, reg.view)
    owner_obj = get_for_user(model, user, reg.view, pk=att.object_id)
    return att, owner_obj


def path_of(att) -> Path:
    return Path(settings.JIXIAO_ATTACHMENT_DIR) / att.path


def read(att) -> bytes:
    try:
        return path_of(att).read_bytes()
    except OSError:
        raise Http404("附件文件已丢失，请联系系统管理员。") from None


def content_type_of(att) -> str:
    return CONTENT_TYPES.get(extension(att.name), "application/octet-stream")


def _clean_name(name: str) -> str:
    from jixiao.core.text import clean

    base = clean(Path(str(name).replace("\\", "/")).name).strip() or "附件"
    if len(base) > NAME_MAX:
        ext = extension(base)
        base = base[: NAME_MAX - len(ext) - 1] + "." + ext if ext else base[:NAME_MAX]
    return base


# --- services ----------------------------------------------------------------------------------------

@service
def upload(*, actor, owner, kind: str, file, name: str | None = None):
    """Attach ``file`` (an uploaded file or any object with ``read()``/``size``/``name``) to ``owner``
    as ``kind``. Refused, with nothing written: a user who may not do the kind's action to the owner
    (PermissionDenied), a kind the owner does not take, a file outside the type whitelist, empty,
    too large or not what its extension says (ValidationFailed, Chinese)."""
    from django.contrib.contenttypes.models import ContentType

    from jixiao.core.models import Attachment

    if not _role_and_scope_allow_any(actor, owner):
        raise PermissionDenied(f"您无权为该{owner._meta.verbose_name}上传附件。")
    kind = str(kind or "")
    if kind not in AttachmentKind.values:
        raise ValidationFailed({"kind": ["请选择附件类型。"]})
    _guard(actor, owner, kind)
    if file is None:
        raise ValidationFailed({"file": ["请选择要上传的文件。"]})
    filename = _clean_name(name or getattr(file, "name", "") or "")
    size = getattr(file, "size", None)
    limit = max_bytes()
    if size is not None and size > limit:  # refuse before reading a huge upload into memory
        raise ValidationFailed({"file": [file_problem(filename, b"", size, limit)]})
    data = file.read(limit + 1)
    problem = file_problem(filename, data[:16], len(data), limit)
    if problem:
        raise ValidationFailed({"file": [problem]})
    rule = type(owner).scope
    region_id = owner.pk if rule.region == "pk" else _follow(owner, rule.region)
    ext = extension(filename)
    relative = f"{region_id}/{uuid.uuid4().hex}.{ext}"
    target = Path(settings.JIXIAO_ATTACHMENT_DIR) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    user = person(actor)
    try:
        att = Attachment.objects.create(
            region_id=region_id, agency_id=_follow(owner, rule.agency),
            content_type=ContentType.objects.get_for_model(type(owner)), object_id=owner.pk, kind=kind,
            name=filename, size=len(data), sha256=hashlib.sha256(data).hexdigest(), path=relative,
            uploaded_by=user,
            uploaded_by_name=(getattr(user, "display_name", "") or user.get_username()) if user else "系统")
        audit.log_create(actor=actor, obj=att)
    except BaseException:
        # nothing points at the file: remove it. (Should an enclosing transaction roll back later, the
        # file stays behind unreferenced — harmless, and never reachable through fetch.)
        target.unlink(missing_ok=True)
        raise
    return att


@service
def remove(*, actor, attachment):
    """Remove an attachment: the row (change-log ``delete`` with its name and checksum) and, once the
    transaction commits, its file. Allowed to whoever may add that kind to the owner."""
    owner = attachment.owner
    if owner is None:
        raise Http404("附件不存在或您无权访问。")
    _guard(actor, owner, attachment.kind)
    target = path_of(attachment)
    before = audit.snapshot(attachment)
    audit.log_delete(actor=actor, obj=attachment, before=before)
    attachment.delete()
    transaction.on_commit(lambda: target.unlink(missing_ok=True))
    return attachment


def record_download(request, att) -> None:
    """A download is an export of the owner's data: security event ``export`` (what=attachment)."""
    audit.record_export(request, "attachment", 1, attachment=att.pk, name=att.name,
                        owner=f"{att.content_type.app_label}.{att.content_type.model}:{att.object_id}")
