// Search over the portal's shards (one per agency, one for the rest of the site), ranked so that the source
// document's own section comes first. Text from the data only ever becomes text nodes, never markup.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var ROOT = script.src.replace(/assets\/javascripts\/portal-search\.js(\?.*)?$/, "");
  var HAN = /[\u3400-\u9fff\uf900-\ufaff]/;
  var RUNS = /[\u3400-\u9fff\uf900-\ufaff]+|[^\s\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff0f\uff1a-\uff20,.;:!?()"'\/\\[\]{}<>|]+/g;
  var SITE = "site";
  var shards = {};  // id -> promise of {words: Set, longest, sections}

  function here() {
    // The agency the reader is on: the first folder of the page's address under the site root.
    var path = decodeURI(location.href.split(/[?#]/)[0]);
    if (path.indexOf(ROOT) !== 0) return "";
    return path.slice(ROOT.length).split("/")[0];
  }

  function load(id) {
    if (!shards[id]) {
      shards[id] = fetch(ROOT + "search/" + encodeURIComponent(id) + ".json").then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      }).then(function (data) {
        var longest = 1;
        data.words.forEach(function (w) { if (w.length > longest) longest = w.length; });
        return {words: new Set(data.words), longest: longest, sections: data.sections, id: id};
      });
    }
    return shards[id];
  }

  // Split a query into terms: each run of Han characters by the longest words the shards know, so that
  // 廉政會報次數 becomes 廉政會報 + 次數; other runs (numbers, Latin) as they are.
  // Each run that is not itself a term is also kept as a phrase: a section saying it counts more, and it is
  // marked whole (無障礙, not only 障礙).
  function segment(query, known, longest) {
    var terms = [], phrases = [];
    (query.match(RUNS) || []).forEach(function (run) {
      if (!HAN.test(run)) { terms.push(run.toLowerCase()); return; }
      if (known.has(run) || run.length === 1) { terms.push(run); return; }
      var i = 0, pending = "", found = [];
      while (i < run.length) {
        var word = "";
        for (var n = Math.min(longest, run.length - i); n > 1; n--) {
          if (known.has(run.substr(i, n))) { word = run.substr(i, n); break; }
        }
        if (word) {
          if (pending) found.push(pending);
          pending = "";
          found.push(word);
          i += word.length;
        } else {
          pending += run.charAt(i);
          i += 1;
        }
      }
      if (pending) found.push(pending);
      var words = found.filter(function (t) { return t.length > 1; });
      (words.length ? words : [run]).forEach(function (t) { terms.push(t); });
      if (words.length) phrases.push(run);
    });
    function unique(list) { return list.filter(function (t, i) { return list.indexOf(t) === i; }); }
    return {terms: unique(terms), phrases: unique(phrases)};
  }

  function count(text, term) {
    var n = 0, at = text.indexOf(term);
    while (at !== -1 && n < 32) { n += 1; at = text.indexOf(term, at + term.length); }
    return n;
  }

  // Score a section: every term must be in it; each counts by how often the section says it, its own
  // heading counting as two mentions and the headings above it as one, with less for each further repeat.
  // The section's weight says what it is: a work report's account, a plan, a hand-written explanation, or
  // a page that only repeats a figure.
  function score(section, terms, phrases) {
    var title = section[1].toLowerCase(), parent = section[2].toLowerCase(), text = section[3].toLowerCase();
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var t = terms[i];
      var hits = count(text, t) + (title.indexOf(t) !== -1 ? 2 : 0) + (parent.indexOf(t) !== -1 ? 1 : 0);
      if (!hits) return 0;
      total += 1 + Math.log2(hits);
    }
    phrases.forEach(function (p) { if (title.indexOf(p) !== -1 || text.indexOf(p) !== -1) total += 2; });
    return total * section[4];
  }

  function pattern(terms) {
    var sorted = terms.slice().sort(function (a, b) { return b.length - a.length; });
    return new RegExp(sorted.map(function (t) { return t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }).join("|"), "gi");
  }

  // Append text to an element, each whole term in a <mark>.
  function marked(element, text, regex) {
    var last = 0;
    text.replace(regex, function (hit, at) {
      element.appendChild(document.createTextNode(text.slice(last, at)));
      var mark = document.createElement("mark");
      mark.textContent = hit;
      element.appendChild(mark);
      last = at + hit.length;
      return hit;
    });
    element.appendChild(document.createTextNode(text.slice(last)));
  }

  function snippet(text, terms) {
    var first = -1;
    terms.forEach(function (t) {
      var at = text.toLowerCase().indexOf(t);
      if (at !== -1 && (first === -1 || at < first)) first = at;
    });
    if (first === -1) return text.slice(0, 80) + (text.length > 80 ? "…" : "");
    var start = Math.max(0, first - 24), end = Math.min(text.length, first + 72);
    return (start ? "…" : "") + text.slice(start, end) + (end < text.length ? "…" : "");
  }

  function address(url, terms) {
    var parts = url.split("#");
    return ROOT + parts[0] + "?h=" + encodeURIComponent(terms.join(" ")) + (parts[1] ? "#" + parts[1] : "");
  }

  function run(form, manifest) {
    var input = form.querySelector("input[name=q]");
    var scope = form.querySelector("select[name=scope]");
    var status = document.getElementById("portal-search-status");
    var list = document.getElementById("portal-search-results");
    var names = {};
    manifest.shards.forEach(function (s) { names[s.id] = s.name; });
    var asked = 0;

    function search() {
      var query = input.value.trim();
      var wanted = scope.value === "all" ? manifest.shards.map(function (s) { return s.id; }) : [scope.value, SITE];
      var mine = ++asked;
      if (history.replaceState) {
        var params = new URLSearchParams({q: query, scope: scope.value});
        history.replaceState(null, "", "?" + params.toString());
      }
      if (!query) { list.textContent = ""; status.textContent = ""; return; }
      Promise.all(wanted.map(load)).then(function (loaded) {
        if (mine !== asked) return;
        var known = new Set(), longest = 1;
        loaded.forEach(function (s) { s.words.forEach(function (w) { known.add(w); }); longest = Math.max(longest, s.longest); });
        var split = segment(query, known, longest), terms = split.terms;
        var hits = [];
        loaded.forEach(function (s) {
          s.sections.forEach(function (section, order) {
            var points = score(section, terms, split.phrases);
            if (points > 0) hits.push({points: points, section: section, shard: s.id, order: order});
          });
        });
        hits.sort(function (a, b) {
          return b.points - a.points || wanted.indexOf(a.shard) - wanted.indexOf(b.shard) || a.order - b.order;
        });
        show(hits, split.phrases.concat(terms), query);
      }).catch(function () {
        if (mine === asked) status.textContent = "搜尋資料載入失敗，請重新整理本頁再試一次。";
      });
    }

    function show(hits, terms, query) {
      list.textContent = "";
      status.textContent = hits.length
        ? "「" + query + "」找到 " + hits.length.toLocaleString("zh-TW") + " 筆（依相關程度排列，文件原文優先）："
        : "找不到「" + query + "」。可換個說法，或把範圍改為全部。";
      var regex = pattern(terms);
      hits.slice(0, 50).forEach(function (hit) {
        var s = hit.section;
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = address(s[0], terms);
        marked(link, s[1], regex);
        var heading = document.createElement("p");
        heading.className = "portal-search-title";
        heading.appendChild(link);
        item.appendChild(heading);
        var where = [scope.value === "all" && hit.shard !== SITE ? names[hit.shard] : "", s[2]].filter(Boolean);
        if (where.length) {
          var trail = document.createElement("p");
          trail.className = "portal-search-where";
          trail.textContent = where.join(" › ");
          item.appendChild(trail);
        }
        if (s[3]) {
          var text = document.createElement("p");
          text.className = "portal-search-text";
          marked(text, snippet(s[3], terms), regex);
          item.appendChild(text);
        }
        list.appendChild(item);
      });
    }

    var params = new URLSearchParams(location.search);
    var chosen = params.get("scope");
    if (chosen && scope.querySelector('option[value="' + CSS.escape(chosen) + '"]')) scope.value = chosen;
    input.value = params.get("q") || "";
    form.addEventListener("submit", function (event) { event.preventDefault(); search(); });
    input.addEventListener("input", search);
    scope.addEventListener("change", search);
    if (input.value) search();
    input.focus();
  }

  // On the page a result leads to, mark every whole occurrence of the words searched for.
  function highlight() {
    var wanted = new URLSearchParams(location.search).get("h");
    var article = document.querySelector(".md-content article") || document.querySelector("main");
    if (!wanted || !article) return;
    var terms = wanted.split(/\s+/).filter(Boolean);
    if (!terms.length) return;
    var regex = pattern(terms);
    var walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
    var nodes = [];
    while (walker.nextNode()) {
      var node = walker.currentNode;
      if (node.parentNode && !/^(SCRIPT|STYLE|MARK)$/.test(node.parentNode.nodeName)) {
        regex.lastIndex = 0;
        if (regex.test(node.nodeValue)) nodes.push(node);
      }
    }
    nodes.forEach(function (node) {
      var holder = document.createElement("span");
      regex.lastIndex = 0;
      marked(holder, node.nodeValue, regex);
      var parent = node.parentNode;
      while (holder.firstChild) parent.insertBefore(holder.firstChild, node);
      parent.removeChild(node);
    });
  }

  // A search button in the header of every page, leading to the search page with the reader's agency.
  function button() {
    var header = document.querySelector(".md-header__inner");
    if (!header || document.querySelector(".portal-search-button")) return;
    var link = document.createElement("a");
    var agency = here();
    link.href = ROOT + "search/" + (agency && agency !== "search" ? "?scope=" + encodeURIComponent(agency) : "");
    link.className = "md-header__button md-icon portal-search-button";
    link.setAttribute("aria-label", "搜尋");
    link.title = "搜尋";
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", "M9.5 3A6.5 6.5 0 0 1 16 9.5c0 1.61-.59 3.09-1.56 4.23l.27.27h.79l5 5-1.5 1.5-5-5v-.79l-.27-.27A6.52 6.52 0 0 1 9.5 16 6.5 6.5 0 0 1 3 9.5 6.5 6.5 0 0 1 9.5 3m0 2C7 5 5 7 5 9.5S7 14 9.5 14 14 12 14 9.5 12 5 9.5 5");
    svg.appendChild(path);
    link.appendChild(svg);
    var before = header.querySelector(".md-header__source");
    header.insertBefore(link, before);
  }

  function start() {
    button();
    highlight();
    var form = document.getElementById("portal-search");
    if (!form) return;
    fetch(ROOT + "search/index.json").then(function (r) { return r.json(); }).then(function (manifest) {
      run(form, manifest);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
