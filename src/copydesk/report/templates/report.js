(function () {
  "use strict";
  // Flagged claims: click (or Enter/Space on the focused button) pins the evidence open.
  function toggle(btn, open) {
    var box = btn.parentNode;
    if (open === undefined) open = btn.getAttribute("aria-expanded") !== "true";
    btn.setAttribute("aria-expanded", open ? "true" : "false");
    box.classList.toggle("open", open);
  }
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("button.claim");
    if (btn) toggle(btn);
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") {
      var btn = document.activeElement && document.activeElement.closest && document.activeElement.closest("button.claim");
      if (btn) toggle(btn, false);
      return;
    }
    // Story list: arrow keys move between the links; Home/End jump to the ends.
    var link = ev.target.closest && ev.target.closest("#story-list a");
    if (!link) {
      // Nothing has the focus yet (a page just opened, as the hint "↑/↓ move through the list" is read):
      // the arrows start in the list, at the open story or the first one.
      var idle = !document.activeElement || document.activeElement === document.body;
      if (idle && (ev.key === "ArrowDown" || ev.key === "ArrowUp") && !ev.altKey && !ev.ctrlKey && !ev.metaKey) {
        var start = document.querySelector("#story-list a[aria-current]") ||
          document.querySelector("#story-list li:not([hidden]) a");
        if (start) { ev.preventDefault(); start.focus(); }
      }
      return;
    }
    var links = Array.prototype.slice.call(document.querySelectorAll("#story-list li:not([hidden]) a"));
    var i = links.indexOf(link), j = -1;
    if (ev.key === "ArrowDown") j = Math.min(i + 1, links.length - 1);
    else if (ev.key === "ArrowUp") j = Math.max(i - 1, 0);
    else if (ev.key === "Home") j = 0;
    else if (ev.key === "End") j = links.length - 1;
    if (j >= 0) { ev.preventDefault(); links[j].focus(); }
  });
  // Mark the story in view in the list, and move focus to it when it is opened by a link.
  function current() {
    var id = decodeURIComponent(location.hash.slice(1));
    var links = document.querySelectorAll("#story-list a[href^='#']");
    for (var k = 0; k < links.length; k++) {
      if (links[k].getAttribute("href") === "#" + id) links[k].setAttribute("aria-current", "true");
      else links[k].removeAttribute("aria-current");
    }
    var target = id && document.getElementById(id);
    if (target && target.classList.contains("story")) target.focus({ preventScroll: true });
  }
  // Index of a split report: the filter box hides the stories whose title, id or articles lack the words.
  var filter = document.getElementById("story-filter");
  if (filter) {
    filter.addEventListener("input", function () {
      var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      var items = document.querySelectorAll("#story-list li"), shown = 0;
      for (var k = 0; k < items.length; k++) {
        var text = (items[k].textContent + " " + (items[k].getAttribute("data-q") || "")).toLowerCase();
        var hit = words.every(function (w) { return text.indexOf(w) >= 0; });
        items[k].hidden = !hit;
        if (hit) shown++;
      }
      document.getElementById("story-filter-count").textContent =
        words.length ? shown + " of " + items.length + (items.length === 1 ? " story" : " stories") + " shown" : "";
    });
  }
  window.addEventListener("hashchange", current);
  current();
})();
