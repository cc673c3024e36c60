"""The house rules as tests (docs/development.md, "Architecture tests"): read the source with ``ast``
(no database, no imports of our code) and fail on

* ``layering``      — an app importing an app at or above its own layer (:data:`LAYERS`), at any
                      level (module or function); an import of a ``jixiao`` package not in a layer;
* ``write``         — a write (``.save()``, ``.create()``, ``.update()``, ``.delete()``, ``bulk_*``,
                      ``get_or_create``, ``update_or_create``) outside ``services.py`` and core's
                      machinery (migrations and tests aside);
* ``scoped-fetch``  — ``Model.objects.get/filter/all/exclude(`` on a scoped model (one that declares
                      ``scope``) in ``views.py`` / ``views_*.py`` / ``api.py`` / ``api_*.py``: pages
                      and handlers fetch through ``for_user`` / ``get_for_user``;
* ``rules-import``  — an import of Django, of a ``models`` module or of a ``services`` module in a
                      ``rules.py`` (rules are pure functions over plain values).

The exceptions are :data:`EXCEPTIONS`, each with its reason; an exception nothing needs any more
fails too, so the list only shrinks. Each rule is shown to catch a deliberate violation in a small
synthetic tree (the ``test_*_catches_*`` tests)."""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Apps depend downward only: an app may import the apps of the layers before its own, never one of
#: its own layer or a later one. A new app takes the first layer after every app it needs.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("org",),
    ("library", "projects", "pools"),
    ("assessment", "targets"),
    ("monitoring",),
    ("evaluation",),
    ("reports",),
)
LAYER = {app: i for i, apps in enumerate(LAYERS) for app in apps}

WRITE_METHODS = {"save", "create", "update", "delete", "bulk_create", "bulk_update", "get_or_create",
                 "update_or_create"}
ALWAYS_WRITES = {"bulk_create", "bulk_update", "get_or_create", "update_or_create"}
QUERYSET_METHODS = {"objects", "filter", "exclude", "all", "for_user", "select_for_update", "order_by",
                    "select_related", "prefetch_related", "only", "defer", "annotate", "distinct", "none"}
FETCH_METHODS = {"get", "filter", "all", "exclude"}


@dataclass(frozen=True)
class Allowed:
    rule: str
    path: str  # a file, or a folder ending in "/" for every file under it
    where: str  # the enclosing function ("outer.inner"), "<module>", or "*" for anywhere in the path
    reason: str

    def covers(self, v: Violation) -> bool:
        in_path = v.path.startswith(self.path) if self.path.endswith("/") else v.path == self.path
        return self.rule == v.rule and in_path and self.where in ("*", v.where)


#: The one list of exceptions. Keep it short: fix a violation when the fix is small.
EXCEPTIONS: tuple[Allowed, ...] = (
    Allowed("layering", "jixiao/core/tests/", "*",
            "core has no user model of its own: its tests build org's persona world (the `world` fixture)"),
    Allowed("write", "jixiao/library/loader.py", "*",
            "the national library data is loaded by a data migration with historical models "
            "(apps.get_model), where services cannot run"),
    Allowed("write", "jixiao/org/demo.py", "build_province",
            "province-scale benchmark data written set-based (bulk_create, paths by two UPDATEs); "
            "the reasons are in build_province's docstring"),
    Allowed("write", "jixiao/targets/import_write.py", "update",
            "the target import's writer, run inside the import service's transaction: an updated sheet's "
            "rows are replaced set-based"),
    Allowed("scoped-fetch", "jixiao/assessment/views.py", "eligible_projects",
            "an assessment under way anywhere blocks a second one: the exclusion sees every assessment "
            "(it only removes choices)"),
    Allowed("scoped-fetch", "jixiao/targets/views.py", "creatable_projects",
            "a project takes one sheet a year whoever wrote it: the exclusion sees every sheet of the "
            "candidate's own region and id (correlated; it only removes choices)"),
    Allowed("scoped-fetch", "jixiao/targets/views.py", "creatable_agencies",
            "an agency takes one whole-budget sheet a year: the exclusion sees every sheet of the "
            "candidate's own region and id (correlated; it only removes choices)"),
    Allowed("scoped-fetch", "jixiao/targets/views.py", "_waiting",
            "the review rows of sheets already fetched for the user (object_id__in a for_user queryset); "
            "an expert's review scope is the drawn sheets, not the Review rows"),
    Allowed("scoped-fetch", "jixiao/targets/views.py", "review_queue",
            "the review rows named by the user's own inbox items; the sheets shown come from for_user"),
)


@dataclass(frozen=True)
class Violation:
    rule: str
    path: str
    line: int
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} [{self.rule}] in {self.where}: {self.what}"


# --- reading the tree ---------------------------------------------------------------------------------

@functools.cache
def _real_tree() -> dict[str, str]:
    return load_tree()


def load_tree(root: Path = ROOT) -> dict[str, str]:
    """{path relative to the repository: source} for every Python file of the jixiao package
    except migrations."""
    out = {}
    for p in sorted((root / "jixiao").rglob("*.py")):
        rel = p.relative_to(root).as_posix()
        if "/migrations/" not in rel:
            out[rel] = p.read_text(encoding="utf-8")
    return out


def _app(path: str) -> str | None:
    parts = path.split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "jixiao" else None


def _is_test(path: str) -> bool:
    parts = path.split("/")
    return "tests" in parts[:-1] or parts[-1].startswith("test_") or parts[-1] == "conftest.py"


@functools.cache
def _nodes(source: str) -> tuple[tuple[ast.AST, str], ...]:
    """Every node of the source with its enclosing function ("outer.inner" or "<module>"), walked
    once per file however many rules read it."""
    out: list[tuple[ast.AST, str]] = []

    def visit(node, where: str) -> None:
        out.append((node, where))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            where = node.name if where == "<module>" else f"{where}.{node.name}"
        for child in ast.iter_child_nodes(node):
            visit(child, where)

    visit(ast.parse(source), "<module>")
    return tuple(out)


def _walk(source: str, on_node) -> None:
    for node, where in _nodes(source):
        on_node(node, where)


def _imported_modules(node, path: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level:  # relative: resolve against the file's package
            package = path[:-3].split("/")[: -node.level]
            base = ".".join(package)
            module = f"{base}.{node.module}" if node.module else base
        else:
            module = node.module or ""
        # ``from jixiao import targets`` / ``from . import services`` import the modules named
        named = node.module is None or module == "jixiao"
        return [f"{module}.{a.name}" for a in node.names] if named else [module]
    return []


# --- the rules ----------------------------------------------------------------------------------------

def check_layering(tree: dict[str, str]) -> list[Violation]:
    out = []
    for path, source in tree.items():
        app = _app(path)
        if app is None:
            continue

        def on_node(node, where, path=path, app=app):
            for module in _imported_modules(node, path):
                parts = module.split(".")
                if parts[0] != "jixiao" or len(parts) < 2 or parts[1] == app:
                    continue
                target = parts[1]
                if (ROOT / "jixiao" / f"{target}.py").exists() and target not in LAYER:
                    continue  # a project-level module (settings, envconfig …), not an app
                if app not in LAYER or target not in LAYER:
                    out.append(Violation("layering", path, node.lineno, where,
                                         f"imports {module}: {app if app not in LAYER else target} is in no layer"))
                elif LAYER[target] >= LAYER[app]:
                    out.append(Violation("layering", path, node.lineno, where,
                                         f"{app} imports {module} (layer {LAYER[target]} ≥ {LAYER[app]})"))

        _walk(source, on_node)
    return out


def _write_exempt(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    if _is_test(path) or name == "services.py" or name.startswith("services_"):
        return True
    # core's machinery (audit, review chain, inbox, jobs, reminders, config …) writes for the
    # services that call it; core's own pages and API stay thin like everyone's
    return _app(path) == "core" and not (name.startswith("views") or name.startswith("api"))


def _orm_receiver(node) -> bool:
    """``X.objects…`` or a queryset method chain (``….filter(…)``) — not a dict or a file."""
    while True:
        if isinstance(node, ast.Attribute):
            if node.attr in QUERYSET_METHODS:
                return True
            node = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in QUERYSET_METHODS:
                return True
            node = node.func.value
        else:
            return isinstance(node, ast.Name) and (node.id in ("qs", "queryset") or node.id.endswith("_qs"))


def _is_write(call: ast.Call) -> bool:
    f = call.func
    if not isinstance(f, ast.Attribute) or f.attr not in WRITE_METHODS:
        return False
    if f.attr in ALWAYS_WRITES:
        return True
    if f.attr in ("save", "delete"):  # Model.save(update_fields=…), qs.delete(); not wb.save(stream)
        return not call.args
    if f.attr == "create":  # Model.objects.create(**fields), related.create(…)
        return not call.args and bool(call.keywords)
    return _orm_receiver(f.value) and not call.args  # qs.update(field=…); not dict.update(other)


def check_writes(tree: dict[str, str]) -> list[Violation]:
    out = []
    for path, source in tree.items():
        if _write_exempt(path):
            continue

        def on_node(node, where, path=path):
            if isinstance(node, ast.Call) and _is_write(node):
                out.append(Violation("write", path, node.lineno, where, f"{ast.unparse(node.func)}(…) outside a service"))

        _walk(source, on_node)
    return out


def scoped_models(tree: dict[str, str]) -> set[str]:
    """Classes in a models.py that declare ``scope = scope_rule(...)``."""
    names = set()
    for path, source in tree.items():
        if not path.endswith("/models.py"):
            continue
        for node, _ in _nodes(source):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(s, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "scope" for t in s.targets)
                for s in node.body
            ):
                names.add(node.name)
    return names


def _is_page_or_api(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return not _is_test(path) and (name in ("views.py", "api.py") or name.startswith(("views_", "api_")))


def check_scoped_fetches(tree: dict[str, str]) -> list[Violation]:
    scoped = scoped_models(tree)
    out = []
    for path, source in tree.items():
        if not _is_page_or_api(path):
            continue

        def on_node(node, where, path=path):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in FETCH_METHODS):
                return
            manager = node.func.value
            if not (isinstance(manager, ast.Attribute) and manager.attr == "objects"):
                return
            model = manager.value
            name = model.id if isinstance(model, ast.Name) else model.attr if isinstance(model, ast.Attribute) else ""
            if name in scoped:
                out.append(Violation("scoped-fetch", path, node.lineno, where,
                                     f"{name}.objects.{node.func.attr}(…): use for_user / get_for_user"))

        _walk(source, on_node)
    return out


def check_rules_imports(tree: dict[str, str]) -> list[Violation]:
    out = []
    for path, source in tree.items():
        if not path.endswith("/rules.py"):
            continue

        def on_node(node, where, path=path):
            for module in _imported_modules(node, path):
                parts = module.split(".")
                if parts[0] == "django" or "models" in parts[1:] or "services" in parts[1:]:
                    out.append(Violation("rules-import", path, node.lineno, where,
                                         f"imports {module}: rules are pure (no Django, no ORM)"))

        _walk(source, on_node)
    return out


CHECKS = (check_layering, check_writes, check_scoped_fetches, check_rules_imports)


def violations(tree: dict[str, str], exceptions=EXCEPTIONS) -> list[Violation]:
    found = [v for check in CHECKS for v in check(tree)]
    return [v for v in found if not any(e.covers(v) for e in exceptions)]


# --- the real tree --------------------------------------------------------------------------------------

def test_the_code_keeps_the_house_rules():
    bad = violations(_real_tree())
    assert not bad, "house rules broken (fix it, or add an exception with its reason):\n" + "\n".join(map(str, bad))


def test_every_exception_is_still_needed():
    tree = _real_tree()
    found = [v for check in CHECKS for v in check(tree)]
    unused = [e for e in EXCEPTIONS if not any(e.covers(v) for v in found)]
    assert not unused, "exceptions nothing needs any more (remove them):\n" + "\n".join(
        f"{e.rule} {e.path} {e.where}" for e in unused)
    assert all(e.reason.strip() for e in EXCEPTIONS)


def test_every_app_is_in_a_layer():
    apps = {p.parent.name for p in (ROOT / "jixiao").glob("*/apps.py")}
    assert apps <= set(LAYER), f"apps in no layer: {sorted(apps - set(LAYER))}"


def test_the_checker_sees_the_tree():
    tree = _real_tree()
    assert "jixiao/targets/views.py" in tree and {"TargetSheet", "Project", "Agency"} <= scoped_models(tree)


# --- each rule catches a deliberate violation -------------------------------------------------------------

MODELS = '''
class Project(VersionedModel):
    objects = ScopedQuerySet.as_manager()
    scope = scope_rule(view=[Role.AGENCY_PREPARER])


class Plain(models.Model):
    pass
'''


def _rules(found) -> list[tuple[str, str, str]]:
    return [(v.rule, v.path, v.where) for v in found]


def test_layering_catches_an_upward_import():
    tree = {
        "jixiao/projects/models.py": "from jixiao.targets.models import TargetSheet\n",
        "jixiao/projects/services.py": "def f():\n    from jixiao.assessment import services\n",
        "jixiao/core/review.py": "from jixiao.org.models import User\n",
        "jixiao/library/views.py": "from jixiao.projects import rules\n",  # same layer
        "jixiao/targets/views.py": "from jixiao.projects.models import Project\nfrom jixiao.core import audit\n",
        "jixiao/pools/api.py": "from jixiao import assessment\n",
        "jixiao/org/forms.py": "from jixiao.evaluation.models import Evaluation\n",  # in no layer
        "jixiao/org/views.py": "from jixiao.envconfig import env\nfrom jixiao.org import services\n",
    }
    assert _rules(check_layering(tree)) == [
        ("layering", "jixiao/projects/models.py", "<module>"),
        ("layering", "jixiao/projects/services.py", "f"),
        ("layering", "jixiao/core/review.py", "<module>"),
        ("layering", "jixiao/library/views.py", "<module>"),
        ("layering", "jixiao/pools/api.py", "<module>"),
        ("layering", "jixiao/org/forms.py", "<module>"),
    ]


def test_writes_catches_a_write_outside_services():
    tree = {
        "jixiao/targets/management/commands/remind.py": (
            "def handle():\n"
            "    InboxItem.objects.filter(pk__in=stale).update(done_at=now)\n"
            "    sheet.save(update_fields=['status'])\n"
            "    Project.objects.create(code='1')\n"
            "    sheet.tasks.all().delete()\n"
            "    Agency.objects.bulk_create(rows)\n"
            "    Sector.objects.get_or_create(code='1')\n"
            "    d.update(other)\n"            # a dict
            "    row.update(weight=1)\n"       # a dict with keywords
            "    wb.save(stream)\n"            # a workbook
        ),
        "jixiao/targets/services.py": "def f():\n    sheet.save()\n",
        "jixiao/core/inbox.py": "def f():\n    InboxItem.objects.bulk_create(items)\n",
        "jixiao/core/views.py": "def page(request):\n    form.save()\n",
        "jixiao/targets/tests/test_x.py": "def test():\n    sheet.save()\n",
    }
    found = check_writes(tree)
    assert [(v.path, v.line) for v in found] == [
        ("jixiao/targets/management/commands/remind.py", n) for n in (2, 3, 4, 5, 6, 7)
    ] + [("jixiao/core/views.py", 2)]


def test_scoped_fetch_catches_an_unscoped_fetch_in_a_view():
    tree = {
        "jixiao/projects/models.py": MODELS,
        "jixiao/projects/views.py": (
            "def detail(request, pk):\n"
            "    p = Project.objects.get(pk=pk)\n"
            "    q = models.Project.objects.filter(year=2026)\n"
            "    ok = Project.objects.for_user(request.user).filter(year=2026)\n"
            "    plain = Plain.objects.filter(x=1)\n"
        ),
        "jixiao/projects/api_more.py": "def lst(request):\n    return Project.objects.all()\n",
        "jixiao/projects/views_stats.py": "def s(request):\n    return Project.objects.exclude(year=1)\n",
        "jixiao/projects/services.py": "def f():\n    return Project.objects.get(pk=1)\n",
    }
    assert [(v.path, v.line) for v in check_scoped_fetches(tree)] == [
        ("jixiao/projects/views.py", 2), ("jixiao/projects/views.py", 3),
        ("jixiao/projects/api_more.py", 2), ("jixiao/projects/views_stats.py", 2),
    ]


def test_rules_import_catches_orm_and_django_in_rules():
    tree = {
        "jixiao/targets/rules.py": (
            "from decimal import Decimal\n"
            "from django.db.models import Q\n"
            "from jixiao.targets.models import TargetSheet\n"
            "from jixiao.library.choices import Operator\n"
            "def f():\n"
            "    import django.utils.timezone\n"
            "    from . import services\n"
        ),
        "jixiao/targets/statistics.py": "from django.db.models import Q\n",
    }
    assert [(v.line, v.what.split(":")[0]) for v in check_rules_imports(tree)] == [
        (2, "imports django.db.models"), (3, "imports jixiao.targets.models"),
        (6, "imports django.utils.timezone"), (7, "imports jixiao.targets.services"),
    ]


def test_an_exception_covers_only_its_rule_path_and_function():
    tree = {"jixiao/org/demo.py": "def build_province():\n    Region.objects.bulk_create(r)\n"
                                  "def build_county():\n    Region.objects.bulk_create(r)\n"}
    assert [v.where for v in violations(tree)] == ["build_county"]
    assert [v.where for v in violations(tree, exceptions=())] == ["build_province", "build_county"]


# --- templates: no inline scripts (the Content-Security-Policy forbids them) ------------------------------

INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def inline_scripts(text: str) -> list[str]:
    """Inline event handlers (onclick=…, onsubmit=…) and <script> blocks without src: the browser
    refuses both under script-src 'self', so the button silently does nothing. Behaviours go in
    static/js/app.js, driven by data- attributes (data-confirm, data-autosubmit)."""
    return [m.group(0)[:80] for pattern in (INLINE_HANDLER, INLINE_SCRIPT) for m in pattern.finditer(text)]


def test_templates_have_no_inline_scripts():
    found = {str(p.relative_to(ROOT)): inline_scripts(p.read_text(encoding="utf-8"))
             for p in (ROOT / "jixiao" / "templates").rglob("*.html")}
    assert not {k: v for k, v in found.items() if v}


def test_inline_scripts_catches_a_handler_and_a_script_block():
    assert inline_scripts('<form onsubmit="return confirm(1)"><button data-confirm="x">')
    assert inline_scripts("<script>alert(1)</script>")
    assert not inline_scripts('<script src="/static/js/app.js"></script><button data-confirm="确定？">')
