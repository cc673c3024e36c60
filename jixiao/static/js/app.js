// Small behaviours without inline scripts (the Content-Security-Policy forbids them).
document.addEventListener("click", function (ev) {
  const btn = ev.target.closest("[data-confirm]");
  if (btn && !window.confirm(btn.getAttribute("data-confirm"))) {
    ev.preventDefault();
  }
});
// Config row editors: add / remove rows of a table-shaped configuration record.
document.addEventListener("click", function (ev) {
  const add = ev.target.closest("[data-add-row]");
  if (add) {
    const table = document.getElementById(add.getAttribute("data-add-row"));
    const tpl = table.querySelector("template");
    const body = table.querySelector("tbody");
    const index = body.querySelectorAll("tr").length;
    body.insertAdjacentHTML("beforeend", tpl.innerHTML.replaceAll("__i__", index));
    ev.preventDefault();
  }
  const del = ev.target.closest("[data-remove-row]");
  if (del) {
    del.closest("tr").remove();
    ev.preventDefault();
  }
});
// A select that submits its form when changed (e.g. a year picker): <select data-autosubmit>.
document.addEventListener("change", function (ev) {
  const field = ev.target.closest("[data-autosubmit]");
  if (field && field.form) {
    field.form.submit();
  }
});
