"""What a browser sends when a form of a page is submitted (HTML's form data set), read from the
page's HTML with the standard library's parser: the form's named inputs, selects and textareas in
document order — not those inside a <template> (the rows JavaScript clones), not disabled ones, not
buttons, and checkboxes and radios only when checked; a select sends its selected option, else its
first."""

from __future__ import annotations

from html.parser import HTMLParser

SKIPPED_TYPES = {"submit", "button", "reset", "image", "file"}


class _FormReader(HTMLParser):
    def __init__(self, marker: tuple[str, str]):
        super().__init__(convert_charrefs=True)
        self.marker = marker
        self.depth = 0  # >0 inside the wanted form
        self.in_template = 0
        self.fields: list[list[str]] = []
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: list | None = None
        self.found = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.depth:
            if a.get(self.marker[0]) == self.marker[1]:
                self.depth, self.found = 1, True
            return
        if not self.depth:
            return
        if tag == "template":
            self.in_template += 1
        if self.in_template or "disabled" in a:
            return
        if tag == "input" and a.get("name") and a.get("type", "text") not in SKIPPED_TYPES:
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if a.get("type") in ("checkbox", "radio") else ""
            self.fields.append([a["name"], a.get("value", default)])
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "options": [], "selected": None}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "text": "", "selected": "selected" in a}
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea[1] += data

    def _close_option(self):
        if self._option is not None and self._select is not None:
            o = self._option
            value = o["value"] if o["value"] is not None else o["text"].strip()
            self._select["options"].append(value)
            if o["selected"] and self._select["selected"] is None:
                self._select["selected"] = value
        self._option = None

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag == "form":
            self.depth = 0
        elif tag == "template":
            self.in_template -= 1
        elif tag == "option":
            self._close_option()
        elif tag == "select" and self._select is not None:
            self._close_option()
            s = self._select
            value = s["selected"] if s["selected"] is not None else (s["options"][0] if s["options"] else None)
            if value is not None:
                self.fields.append([s["name"], value])
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append(self._textarea)
            self._textarea = None


def form_fields(html: str, attribute: str, value: str) -> list[list[str]]:
    """The ``[name, value]`` pairs the browser submits for the form whose ``attribute`` is ``value``
    (e.g. ``"data-testid", "indicator-editor"``), in order; edit them and post ``urlencode(...)``."""
    reader = _FormReader((attribute, value))
    reader.feed(html)
    reader.close()
    assert reader.found, f"no form with {attribute}={value!r} on the page"
    return reader.fields
