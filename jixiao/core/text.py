"""Text that crosses the boundary (forms, API bodies and queries, Excel cells): control characters
never get in, and text that somehow is stored can always be written out.

- C0 (U+0000–U+001F) and C1 (U+0080–U+009F) control characters and DEL are removed, except tab, line feed and
  carriage return, which multi-line text needs (single-line fields turn them into spaces where it matters).
- Zero-width characters (U+200B–U+200D, U+2060, U+FEFF) are removed too: they are invisible, so in a username
  or a code they would make two values that look the same differ (and in prose they carry nothing).
- Lone surrogates (which JSON allows as ``\\ud800``) cannot be encoded at all: removed.

:func:`clean` is applied by construction — :class:`jixiao.core.middleware.CleanInputMiddleware` for every
form and query string, the API's parser (``jixiao.api``) for every JSON body, and the Excel reader for every
cell — so no field has to remember it. :func:`printable` is what the Excel and Word writers apply to stored
text (XML 1.0 cannot carry most control characters at all)."""

from __future__ import annotations

import re

_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_ZERO_WIDTH = "\u200b-\u200d\u2060\ufeff"
_SURROGATES = "\ud800-\udfff"
_BAD = re.compile(f"[{_CONTROL}{_ZERO_WIDTH}{_SURROGATES}]")
_LINE_BREAKS = re.compile("[\t\r\n]+")
#: what XML 1.0 (xlsx, docx) cannot hold: C0 but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(value: str, *, multiline: bool = True) -> str:
    """``value`` without control and zero-width characters; ``multiline=False`` also turns runs of
    tab / line breaks into one space."""
    if not isinstance(value, str):
        return value
    if _BAD.search(value):
        value = _BAD.sub("", value)
    if not multiline and _LINE_BREAKS.search(value):
        value = _LINE_BREAKS.sub(" ", value)
    return value


def clean_deep(value):
    """Every string inside a parsed JSON document (dict keys too), cleaned."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [clean_deep(v) for v in value]
    if isinstance(value, dict):
        return {clean(k) if isinstance(k, str) else k: clean_deep(v) for k, v in value.items()}
    return value


def printable(value: str) -> str:
    """Stored text made writable into XML (xlsx, docx): illegal characters removed."""
    if isinstance(value, str) and _XML_ILLEGAL.search(value):
        return _XML_ILLEGAL.sub("", value)
    return value


def excerpt(value, limit: int = 40) -> str:
    """At most ``limit`` characters of a value for quoting in a message: "前四十个字…（共 N 字）"."""
    text = "" if value is None else str(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…（共 {len(text)} 字）"
