/* Sidenotes: keyboard, highlighting, the reader's filter and note placement, on top of a page
   that already works without script.
   - Enter toggles a note like Space does (checkboxes only react to Space natively);
   - Escape closes the open note and returns focus to its assertion;
   - every piece of an assertion shows the focus ring, and the highlight while its note is open
     or its toggle focused, not just the piece next to the toggle (hovering is CSS's);
   - a #a-x or #n-x link (or an old id of the note) opens, highlights and shows it (showing every note if the
     reader's filter leaves it out);
   - the reader's filter is remembered for each article (localStorage), said so above the text
     with a way back to every note, and reflected in the URL (?notes=disputed);
   - on wide screens each margin note is set level with the first line of its assertion, or
     just below the note before it (after gwern.net's sidenotes); without script they float.
     Each note is placed by its closed height (number, verdict, claim): an open note unfolds
     over the margin below it (annotator.css) and no other note moves;
   - the header's disputed notes get next/previous buttons and keys (its own section below). */
(function () {
  "use strict";
  var started = performance.now();

  var SETTINGS = {
    toggleSelector: ".sn-toggle",
    noteIdPrefix: "n-",
    toggleIdPrefix: "t-",
    anchorIdPrefix: "a-",           // the start of the assertion
    aliasClass: "sn-alias",         // an old id of a note (merged, renamed, first-edition p9-2)
    highlightClass: "is-highlighted",
    focusClass: "is-focused",
    openClass: "is-open",
    highlightMs: 2500,
    filterSelector: ".sn-filter input",
    filterParam: "notes",           // ?notes=disputed
    filterKey: "annotator.notes",   // localStorage: {article slug: choice}
    rememberedClass: "sn-remembered",
    wide: "screen and (min-width: 60em)",  // as in annotator.css
    gapPx: 6                        // between stacked margin notes
  };
  var doc = document;
  var article = doc.querySelector(".annotated-article");
  var wide = matchMedia(SETTINGS.wide);
  var find = [].find;

  function toggleFor(id) {  // #n-x (the note), #a-x (its assertion) or an old id of it -> its toggle
    var el = doc.getElementById(id);
    while (el && el.classList.contains(SETTINGS.aliasClass)) el = el.nextElementSibling;
    if (el) id = el.id;
    var prefix = [SETTINGS.noteIdPrefix, SETTINGS.anchorIdPrefix].find(function (p) { return id.indexOf(p) === 0; });
    return doc.getElementById(SETTINGS.toggleIdPrefix + (prefix ? id.slice(prefix.length) : id));
  }

  function mark(toggle, name, on) {  // every label of a toggle: its number, each piece of its assertion
    doc.querySelectorAll('label[for="' + toggle.id + '"]').forEach(function (label) { label.classList.toggle(name, on); });
  }

  function setOpen(toggle, open) {
    toggle.checked = open;
    mark(toggle, SETTINGS.openClass, open);
  }

  // Each note shown at the top of its assertion's first line, or just below the note before it.
  // A note keeps its place in the layout (where its number is) and is moved by a transform
  // (--sn-shift): writing `top` instead made the page's next layout cost seconds at 2,500 notes.
  function place() {
    var start = performance.now();
    if (!wide.matches) {  // inline notes: phones, print (--sn-shift applies on wide screens only)
      article.style.minHeight = "";
      return;
    }
    var base = article.getBoundingClientRect().top, bottom = -1e9, end = 0, shown = [], range = doc.createRange();
    article.querySelectorAll(".sidenote").forEach(function (note) {
      var box = note.getBoundingClientRect(), toggle = toggleFor(note.id);
      if (!box.height) return;  // left out by the reader's filter
      range.setStartAfter(doc.getElementById(SETTINGS.anchorIdPrefix + toggle.id.slice(SETTINGS.toggleIdPrefix.length)));
      range.setEndBefore(toggle);
      var line = find.call(range.getClientRects(), function (r) { return r.width; }) || toggle.getBoundingClientRect();
      var unshifted = box.top - base - (parseFloat(note.style.getPropertyValue("--sn-shift")) || 0);
      var head = note.querySelector(".sn-more") || note.querySelector(".sn-claim") || note;  // the closed note's last line
      var closed = Math.min(box.height, head.getBoundingClientRect().bottom - box.top + 3);
      shown.push([note, line.top - base, closed, unshifted, box.height]);
    });
    shown.forEach(function (item) {  // written after every read: one layout
      var top = Math.max(item[1], bottom + SETTINGS.gapPx);
      item[0].style.setProperty("--sn-shift", top - item[3] + "px");
      bottom = top + item[2];
      end = Math.max(end, top + item[4]);
    });
    article.style.minHeight = shown.length ? end + "px" : "";  // the last notes (open ones too) stay inside
    if (!performance.getEntriesByName("sidenotes-place").length) performance.measure("sidenotes-place", { start: start });
  }

  // The reader's filter: the choice in the URL (to share it) and remembered for this article,
  // which says so (a choice silently carried over would hide notes the reader never chose to hide).
  var fieldset = doc.querySelector(".sn-filter");
  var slug = fieldset && fieldset.getAttribute("data-article");

  function choice(value) {
    return find.call(doc.querySelectorAll(SETTINGS.filterSelector), function (i) { return i.value === value; });
  }

  function remember(value) {
    try {
      var all = JSON.parse(localStorage.getItem(SETTINGS.filterKey) || "{}");
      if (typeof all !== "object" || !all) all = {};
      if (value === "all") delete all[slug];
      else if (value) all[slug] = value;
      if (value) localStorage.setItem(SETTINGS.filterKey, JSON.stringify(all));
      return typeof all[slug] === "string" ? all[slug] : null;
    } catch (e) {
      return null;  // storage refused (or an older format): the URL still carries the choice
    }
  }

  function sayRemembered(input) {  // "Shown as you left it" and a way back to every note
    var old = fieldset.querySelector("." + SETTINGS.rememberedClass);
    if (old) old.remove();
    if (!input || input.value === "all") return;
    var said = doc.createElement("span"), button = doc.createElement("button");
    said.className = SETTINGS.rememberedClass;
    said.textContent = "Shown as you left this article: " + input.parentNode.textContent.trim() + ". ";
    button.type = "button";
    button.textContent = "Show every note";
    button.addEventListener("click", function () {
      remember("all");
      choose(choice("all"));
      sayRemembered(null);
    });
    said.appendChild(button);
    fieldset.appendChild(said);
  }

  function choose(input) {
    var url = new URL(location.href);
    input.checked = true;
    if (input.value === "all") url.searchParams.delete(SETTINGS.filterParam);
    else url.searchParams.set(SETTINGS.filterParam, input.value);
    history.replaceState(history.state, "", url);
  }

  function showTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var toggle = id && toggleFor(id);
    if (!toggle) return;
    var note = doc.getElementById(toggle.getAttribute("aria-controls"));
    if (getComputedStyle(toggle).visibility === "hidden" && choice("all")) choose(choice("all"));
    setOpen(toggle, true);
    note.classList.add(SETTINGS.highlightClass);
    // A link to the text ("back to text", #a-x) lands on the assertion, below the sticky header
    // (annotator.css: scroll-margin-top); a link to the note, on the note.
    if (id.indexOf(SETTINGS.anchorIdPrefix) === 0 && doc.getElementById(id)) doc.getElementById(id).scrollIntoView({ block: "start" });
    else note.scrollIntoView({ block: "center" });
    setTimeout(function () { note.classList.remove(SETTINGS.highlightClass); }, SETTINGS.highlightMs);
  }

  function onKey(event) {
    var target = event.target;
    if (event.key === "Enter" && target.matches && target.matches(SETTINGS.toggleSelector)) {
      event.preventDefault();
      target.click();
    } else if (event.key === "Escape") {
      var note = target.closest && target.closest(".sidenote");
      var toggle = note ? toggleFor(note.id) : target.matches && target.matches(SETTINGS.toggleSelector) && target;
      if (toggle && toggle.checked) {
        setOpen(toggle, false);
        toggle.focus();
      }
    }
  }

  function onChange(event) {
    var target = event.target;
    if (target.matches(SETTINGS.toggleSelector)) mark(target, SETTINGS.openClass, target.checked);
    else if (target.matches(SETTINGS.filterSelector)) {
      remember(target.value);
      choose(target);
      sayRemembered(null);
    }
  }

  function onFocus(event) {
    var toggle = event.target;
    if (!toggle.matches || !toggle.matches(SETTINGS.toggleSelector)) return;
    mark(toggle, SETTINGS.focusClass, event.type === "focusin" && toggle.matches(":focus-visible"));
  }

  var asked = choice(new URL(location.href).searchParams.get(SETTINGS.filterParam));
  var kept = !asked && fieldset && choice(remember());
  if (asked || kept) choose(asked || kept);
  if (kept) sayRemembered(kept);
  if (article && window.ResizeObserver) {
    article.classList.add("sn-placed");  // annotator.css: notes placed here, not floated (wide screens)
    // First called once the browser has laid the page out (before it paints), so reading where
    // the lines are forces no extra layout; then a note that opens, closes, is filtered out or
    // rewraps moves the notes after it.
    var observer = new ResizeObserver(place);
    article.querySelectorAll(".sidenote").forEach(function (note) { observer.observe(note, { box: "border-box" }); });
  } else article = null;
  doc.addEventListener("keydown", onKey);
  doc.addEventListener("change", onChange);
  ["focusin", "focusout"].forEach(function (type) { doc.addEventListener(type, onFocus); });
  window.addEventListener("hashchange", showTarget);
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", showTarget);
  else showTarget();
  // ---- Disputed notes: next / previous ---------------------------------------------------------
  // The header's list of disputed notes (generated.disputed_nav) works as plain links; here two
  // buttons and the keys j / ] (next) and k / [ (previous), not while typing, open them in turn.
  var DISPUTED = {
    nav: "nav.sn-disputed",
    next: "j]",
    previous: "k[",
    typing: "input:not([type=checkbox],[type=radio]),textarea,select,[contenteditable]"
  };
  var dNav = doc.querySelector(DISPUTED.nav), dIds = [], dAt = -1, dOpen = null;
  if (dNav) dNav.querySelectorAll("a").forEach(function (a) { dIds.push(a.hash.slice(1)); });

  function step(by) {  // open the next (1) or previous (-1) disputed note, closing the one left
    var n = dIds.length, here = dIds.indexOf(location.hash.slice(1));
    if (here >= 0) dAt = here;
    dAt = dAt < 0 ? (by > 0 ? 0 : n - 1) : (dAt + by + n) % n;
    var id = dIds[dAt], toggle = toggleFor(id);
    if (dOpen && dOpen !== toggle) setOpen(dOpen, false);
    dOpen = toggle;
    if (location.hash === "#" + id) showTarget();
    else location.hash = id;  // hashchange opens and shows it (showTarget)
    toggle.focus({ preventScroll: true });
  }

  if (dIds.length) {
    dNav.querySelectorAll("button[data-step]").forEach(function (button) {  // in the page from the start
      button.onclick = function () { step(Number(button.getAttribute("data-step"))); };
    });
    doc.addEventListener("keydown", function (e) {
      var by = e.key.length !== 1 ? 0 : DISPUTED.next.indexOf(e.key) >= 0 ? 1 : DISPUTED.previous.indexOf(e.key) >= 0 ? -1 : 0;
      if (!by || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.target.closest(DISPUTED.typing)) return;
      e.preventDefault();
      step(by);
    });
  }
  performance.measure("sidenotes", { start: started });  // read by scripts/benchmark, with sidenotes-place
})();
