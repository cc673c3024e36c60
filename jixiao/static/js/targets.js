// Target pages: the indicator editor's level-1 → level-2 selects and row numbers, and the review
// queue's select-all box. No inline scripts (the Content-Security-Policy forbids them).
(function () {
  const treeNode = document.getElementById("taxonomy-tree");
  const tree = treeNode ? JSON.parse(treeNode.textContent) : [];
  const children = {};
  tree.forEach(function (n) { children[n.code] = n.children; });

  function fillLevel2(row) {
    const l1 = row.querySelector("[data-level1]");
    const l2 = row.querySelector("[data-level2]");
    if (!l1 || !l2) { return; }
    const keep = l2.value;
    l2.innerHTML = "";
    const blank = document.createElement("option");
    blank.value = "";
    blank.textContent = "—";
    l2.appendChild(blank);
    (children[l1.value] || []).forEach(function (c) {
      const o = document.createElement("option");
      o.value = c.code;
      o.textContent = c.label;
      if (c.code === keep) { o.selected = true; }
      l2.appendChild(o);
    });
  }

  function number(body) {
    body.querySelectorAll("tr.indicator-row").forEach(function (tr, i) {
      const cell = tr.querySelector(".row-no");
      if (cell) { cell.textContent = String(i + 1); }
    });
  }

  document.addEventListener("change", function (ev) {
    if (ev.target.matches("[data-level1]")) {
      fillLevel2(ev.target.closest("tr"));
    }
    if (ev.target.matches("[data-check-all]")) {
      const name = ev.target.getAttribute("data-check-all");
      ev.target.closest("form").querySelectorAll("input[name='" + name + "']").forEach(function (box) {
        box.checked = ev.target.checked;
      });
    }
  });

  const body = document.getElementById("indicator-rows");
  if (body) {
    number(body);
    new MutationObserver(function () { number(body); }).observe(body, {childList: true});
  }
})();
