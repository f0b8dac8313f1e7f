// Long reports on a phone: each chapter folds under its heading (<details>, which works without this
// script). This script only folds them on a narrow screen at first, opens the chapter a link or a search
// leads to, and unfolds everything for printing.
(function () {
  "use strict";
  var NARROW = "(max-width: 44.984375em)";  // where Material hides the table of contents beside the text

  function chapters() {
    return Array.prototype.slice.call(document.querySelectorAll("details.portal-chapter"));
  }

  function openAround(element) {
    for (var node = element; node; node = node.parentElement) {
      if (node.nodeName === "DETAILS") node.open = true;
    }
  }

  function target() {
    var id = decodeURIComponent(location.hash.slice(1));
    return id ? document.getElementById(id) : null;
  }

  function show() {
    var found = target();
    if (!found) return;
    openAround(found);
    var next = found.nextElementSibling;  // a chapter's heading: open the chapter under it
    if (next && next.matches("details.portal-chapter")) next.open = true;
    found.scrollIntoView();
  }

  function start() {
    var all = chapters();
    if (!all.length) return;
    var root = document.documentElement;
    var searched = new URLSearchParams(location.search).get("h");
    // theme/main.html decides before the first paint (and CSS hides the chapters meanwhile); without that
    // template (another engine), decide here.
    var fold = root.hasAttribute("data-portal-fold") ||
      (window.matchMedia && window.matchMedia(NARROW).matches && !location.hash && !searched);
    if (fold) all.forEach(function (details) { details.open = false; });
    root.removeAttribute("data-portal-fold");
    var mark = document.querySelector(".md-content article mark");
    if (mark) openAround(mark);
    show();
    window.addEventListener("hashchange", show);
    var folded = [];
    window.addEventListener("beforeprint", function () {
      folded = chapters().filter(function (details) { return !details.open; });
      folded.forEach(function (details) { details.open = true; });
    });
    window.addEventListener("afterprint", function () {
      folded.forEach(function (details) { details.open = false; });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
