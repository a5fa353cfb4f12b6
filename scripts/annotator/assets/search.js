/* The search page: notes and articles, found with Pagefind's chunked index, which fetches only the
   fragments a query needs (so no page carries the whole site's index); a large site's index comes
   in parts (pagefind/shards.json lists them), merged here. Opened from disk, where
   the browser forbids those fetches, it searches annotator-index.js instead: every note in one
   file, heavier, loaded only here. Results are built with DOM methods from text; the <mark>s of
   Pagefind's excerpts are the only markup kept. Without JavaScript the page says search needs it. */
(function () {
  "use strict";

  var SETTINGS = {
    root: "[data-annotator-search]",
    pagefind: "pagefind/pagefind.js",
    shards: "pagefind/shards.json",  // the site's other Pagefind indexes, merged into the first
    offlineIndex: "search/annotator-index.js",
    maxResults: 30,
    delayMs: 150
  };

  var root = document.querySelector(SETTINGS.root);
  if (!root) return;
  var base = new URL("../../", document.currentScript.src).href;  // this file is assets/annotator/search.js
  var input = root.querySelector("input[type=search]");
  var status = root.querySelector("[role=status]");
  var list = root.querySelector("ol");
  root.hidden = false;
  var noscript = document.querySelector(".annotator-search-noscript");
  if (noscript) noscript.hidden = true;

  function textOf(html) {  // markup in an excerpt becomes text (DOMParser documents run nothing)
    // Parsed inside <body>, so the spaces at either end of a piece stay (a bare " report" would
    // lose its space before <body> and glue "Reuters.Reutersreport").
    return new DOMParser().parseFromString("<!doctype html><body>" + html, "text/html").body.textContent;
  }

  function marked(text, words) {  // offline results: the query's words highlighted, as Pagefind does
    var span = document.createElement("span");
    var pattern = words.map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }).join("|");
    (pattern ? text.split(new RegExp("(" + pattern + ")", "i")) : [text]).forEach(function (piece, i) {
      var node = i % 2 ? document.createElement("mark") : document.createTextNode("");
      node.textContent = piece;
      span.appendChild(node);
    });
    return span;
  }

  // "Note 12 (Qualifies): claim — Article title" -> the claim, then "Note 12 · Qualifies · short title".
  function titled(title) {
    var m = /^Note (\d+) \(([^)]*)\): (.*) — (.*)$/.exec(title);
    if (!m) return { main: title, meta: "" };
    var article = m[4].split(/[,:;—]/)[0].trim();
    if (article.length > 48) article = article.slice(0, 46).replace(/\s+\S*$/, "") + "…";
    return { main: m[3], meta: "Note " + m[1] + " · " + m[2] + " · " + article };
  }

  function excerptNode(excerpt) {  // keep Pagefind's <mark>s, everything else as text
    var span = document.createElement("span");
    excerpt.split(/(<mark>|<\/mark>)/).reduce(function (marked, piece) {
      if (piece === "<mark>") return true;
      if (piece === "</mark>") return false;
      var node = marked ? document.createElement("mark") : document.createTextNode("");
      node.textContent = textOf(piece);
      span.appendChild(node);
      return marked;
    }, false);
    return span;
  }

  function show(results, query) {
    list.textContent = "";
    results.slice(0, SETTINGS.maxResults).forEach(function (r) {
      var item = document.createElement("li");
      item.className = "annotator-search-result";
      var link = document.createElement("a"), title = titled(r.title);
      link.href = base + r.link;
      link.textContent = title.main;
      item.appendChild(link);
      if (title.meta) {
        var meta = document.createElement("span");
        meta.className = "annotator-search-meta";
        meta.textContent = title.meta;
        item.appendChild(meta);
      }
      var excerpt = document.createElement("p");
      excerpt.appendChild(r.html ? excerptNode(r.html) : marked(r.text, query.toLowerCase().split(/\s+/).filter(Boolean)));
      item.appendChild(excerpt);
      list.appendChild(item);
    });
    status.textContent = query ? results.length + (results.length === 1 ? " result" : " results") + " for “" + query + "”" : "";
  }

  function pagefindSearch() {
    var loaded = import(base + SETTINGS.pagefind).then(function (pagefind) {
      return pagefind.options({ baseUrl: "/" })
        .then(function () {
          return fetch(base + SETTINGS.shards)
            .then(function (response) { return response.ok ? response.json() : []; })
            .catch(function () { return []; });  // no list: the one index
        })
        .then(function (shards) {
          return Promise.all((Array.isArray(shards) ? shards : []).filter(function (path) {
            return typeof path === "string" && /^pagefind\/part-\d+\/$/.test(path);
          }).map(function (path) { return pagefind.mergeIndex(base + path, { baseUrl: "/" }); }));
        })
        .then(function () { return pagefind; });
    });
    return function (query) {
      return loaded.then(function (pagefind) { return pagefind.debouncedSearch(query, {}, SETTINGS.delayMs); })
        .then(function (search) {
          if (!search) return null;  // superseded by a newer query
          return Promise.all(search.results.slice(0, SETTINGS.maxResults).map(function (r) { return r.data(); }));
        })
        .then(function (data) {
          return data && data.map(function (d) {
            return { link: d.meta.link || d.url.replace(/^\//, ""), title: d.meta.title || d.url, html: d.excerpt };
          });
        });
    };
  }

  function offlineSearch() {
    var loaded = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = base + SETTINGS.offlineIndex;
      script.onload = function () { resolve(window.__annotatorSearch || []); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
    return function (query) {
      var words = query.toLowerCase().split(/\s+/).filter(Boolean);
      return loaded.then(function (records) {
        return records.filter(function (r) {
          var text = (r.title + " " + r.text).toLowerCase();
          return words.every(function (w) { return text.indexOf(w) !== -1; });
        }).map(function (r) {
          var at = r.text.toLowerCase().indexOf(words[0] || ""), from = Math.max(0, at - 60);
          var text = r.text.slice(from, at + 140);  // cut at word boundaries, marked as cut
          if (from > 0) text = "…" + text.replace(/^\S*\s/, "");
          if (at + 140 < r.text.length) text = text.replace(/\s\S*$/, "") + "…";
          return { link: r.link, title: r.title, text: text };
        });
      });
    };
  }

  var search = location.protocol === "file:" ? offlineSearch() : pagefindSearch();
  var latest = 0;
  input.addEventListener("input", function () {
    var query = input.value.trim();
    var ticket = ++latest;
    if (!query) { show([], ""); return; }
    search(query).then(function (results) {
      if (results && ticket === latest) show(results, query);
    }, function () {
      status.textContent = "Search could not load its index.";
    });
  });
  var asked = new URLSearchParams(location.search).get("q");
  if (asked) { input.value = asked; input.dispatchEvent(new Event("input")); }
})();
