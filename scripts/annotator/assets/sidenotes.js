/* Sidenotes: keyboard, highlighting, the reader's filter and note placement, on top of a page
   that already works without script.
   - Enter toggles a note like Space does (checkboxes only react to Space natively);
   - Escape closes the open note and returns focus to its assertion;
   - every piece of an assertion shows the focus ring, and the highlight while it is hovered,
     focused or open, not just the piece under the pointer; hovering a note highlights it too;
   - a #p9-2 or #n-p9-2 link opens, highlights and shows that note (showing all notes if the
     reader's filter hides it);
   - the reader's filter is remembered (localStorage) and reflected in the URL (?notes=disputed);
   - on wide screens each margin note is set level with the first line of its assertion, or
     just below the note before it (after gwern.net's sidenotes); without script they float. */
(function () {
  "use strict";
  var started = performance.now();

  var SETTINGS = {
    toggleSelector: ".sn-toggle",
    noteIdPrefix: "n-",
    toggleIdPrefix: "t-",
    highlightClass: "is-highlighted",
    focusClass: "is-focused",
    activeClass: "is-active",       // hovered
    openClass: "is-open",
    highlightMs: 2500,
    filterSelector: ".reader-filter input",
    filterParam: "notes",           // ?notes=disputed
    filterKey: "annotator.notes",   // localStorage, shared by every article
    placedClass: "sn-placed",
    wide: "screen and (min-width: 60em)",  // as in annotator.css
    gapPx: 6                        // between stacked margin notes
  };
  var article = document.querySelector(".annotated-article");
  var wide = matchMedia(SETTINGS.wide);

  function labelsOf(toggle) {
    return document.querySelectorAll('label[for="' + toggle.id + '"]');
  }

  function toggleFor(id) {
    var bare = id.indexOf(SETTINGS.noteIdPrefix) === 0 ? id.slice(SETTINGS.noteIdPrefix.length) : id;
    return document.getElementById(SETTINGS.toggleIdPrefix + bare);
  }

  function noteOf(toggle) {
    return document.getElementById(toggle.getAttribute("aria-controls"));
  }

  function mark(toggle, name, on) {
    labelsOf(toggle).forEach(function (label) { label.classList.toggle(name, on); });
  }

  function setOpen(toggle, open) {
    toggle.checked = open;
    mark(toggle, SETTINGS.openClass, open);
  }

  // ---- Placement: each shown note at its assertion's first line, never over the one before ----
  function place() {
    if (!article || !wide.matches) return;
    var base = article.getBoundingClientRect().top;
    var shown = [];
    article.querySelectorAll(".sidenote").forEach(function (note) {
      var height = note.getBoundingClientRect().height;
      if (!height) return;  // left out by the reader's filter
      var toggle = toggleFor(note.id);
      var range = document.createRange();
      range.setStartAfter(document.getElementById(note.id.slice(SETTINGS.noteIdPrefix.length)));
      range.setEndBefore(toggle);
      var line = Array.prototype.find.call(range.getClientRects(), function (r) { return r.width > 0; });
      shown.push([note, (line || toggle.getBoundingClientRect()).top - base, height]);
    });
    var bottom = -Infinity;
    shown.forEach(function (item) {
      var top = Math.max(item[1], bottom + SETTINGS.gapPx);
      item[0].style.top = top + "px";
      bottom = top + item[2];
    });
    article.style.minHeight = shown.length ? bottom + "px" : "";  // the last notes stay inside
  }

  // ---- The reader's filter: remembered, and in the URL so that it can be shared ----
  function filterInput(value) {
    var inputs = document.querySelectorAll(SETTINGS.filterSelector);
    return Array.prototype.find.call(inputs, function (input) { return input.value === value; });
  }

  function remember(value) {
    try {
      if (value) localStorage.setItem(SETTINGS.filterKey, value);
      return localStorage.getItem(SETTINGS.filterKey);
    } catch (e) {
      return null;  // storage refused (privacy settings): the URL still carries the choice
    }
  }

  function showFilter(input) {
    input.checked = true;
    var url = new URL(location.href);
    if (input.value === "all") url.searchParams.delete(SETTINGS.filterParam);
    else url.searchParams.set(SETTINGS.filterParam, input.value);
    if (url.href !== location.href) history.replaceState(history.state, "", url.href);
  }

  function startFilter() {
    var input = filterInput(new URL(location.href).searchParams.get(SETTINGS.filterParam)) || filterInput(remember());
    if (input) showFilter(input);
  }

  function showTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var toggle = id && toggleFor(id);
    if (!toggle) return;
    var note = noteOf(toggle);
    if (getComputedStyle(toggle).visibility === "hidden" && filterInput("all")) showFilter(filterInput("all"));
    setOpen(toggle, true);
    note.classList.add(SETTINGS.highlightClass);
    place();
    note.scrollIntoView({ block: "center" });
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
      showFilter(target);
    }
  }

  function onFocus(event) {
    var toggle = event.target;
    if (!toggle.matches || !toggle.matches(SETTINGS.toggleSelector)) return;
    var focused = event.type === "focusin" && toggle.matches(":focus-visible");
    mark(toggle, SETTINGS.focusClass, focused);
  }

  function onHover(event) {
    var over = event.target.closest && event.target.closest(".claim[for], .sn-num, .sidenote");
    var toggle = over && (over.htmlFor ? document.getElementById(over.htmlFor) : toggleFor(over.id));
    if (!toggle) return;
    var on = event.type === "mouseover";
    mark(toggle, SETTINGS.activeClass, on);
    noteOf(toggle).classList.toggle(SETTINGS.activeClass, on);
  }

  startFilter();
  document.querySelectorAll(SETTINGS.toggleSelector + ":checked").forEach(function (t) { setOpen(t, true); });
  if (article && window.ResizeObserver) {
    article.classList.add(SETTINGS.placedClass);  // its rules apply on wide screens only
    place();
    // A note that opens, closes, is filtered out or rewraps moves the notes after it.
    var observer = new ResizeObserver(place);
    article.querySelectorAll(".sidenote").forEach(function (note) { observer.observe(note); });
  } else article = null;
  document.addEventListener("keydown", onKey);
  document.addEventListener("change", onChange);
  document.addEventListener("focusin", onFocus);
  document.addEventListener("focusout", onFocus);
  document.addEventListener("mouseover", onHover);
  document.addEventListener("mouseout", onHover);
  window.addEventListener("hashchange", showTarget);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", showTarget);
  else showTarget();
  performance.measure("sidenotes", { start: started });  // read by scripts/benchmark
})();
