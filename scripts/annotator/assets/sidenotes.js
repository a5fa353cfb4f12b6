/* Sidenotes: keyboard and highlighting on top of a page that already works without script.
   - Enter toggles a note like Space does (checkboxes only react to Space natively);
   - Escape closes the open note and returns focus to its assertion;
   - every piece of an assertion shows the focus ring, not just the last one;
   - a #p9-2 or #n-p9-2 link opens, highlights and shows that note. */
(function () {
  "use strict";
  var started = performance.now();

  var SETTINGS = {
    toggleSelector: ".sn-toggle",
    noteIdPrefix: "n-",
    toggleIdPrefix: "t-",
    highlightClass: "is-highlighted",
    focusClass: "is-focused",
    highlightMs: 2500
  };

  function labelsOf(toggle) {
    return document.querySelectorAll('label[for="' + toggle.id + '"]');
  }

  function toggleFor(id) {
    var bare = id.indexOf(SETTINGS.noteIdPrefix) === 0 ? id.slice(SETTINGS.noteIdPrefix.length) : id;
    return document.getElementById(SETTINGS.toggleIdPrefix + bare);
  }

  function showTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var toggle = id && toggleFor(id);
    if (!toggle) return;
    var note = document.getElementById(toggle.getAttribute("aria-controls"));
    toggle.checked = true;
    note.classList.add(SETTINGS.highlightClass);
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
        toggle.checked = false;
        toggle.focus();
      }
    }
  }

  function onFocus(event) {
    var toggle = event.target;
    if (!toggle.matches || !toggle.matches(SETTINGS.toggleSelector)) return;
    var focused = event.type === "focusin" && toggle.matches(":focus-visible");
    labelsOf(toggle).forEach(function (label) { label.classList.toggle(SETTINGS.focusClass, focused); });
  }

  document.addEventListener("keydown", onKey);
  document.addEventListener("focusin", onFocus);
  document.addEventListener("focusout", onFocus);
  window.addEventListener("hashchange", showTarget);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", showTarget);
  else showTarget();
  performance.measure("sidenotes", { start: started });  // read by scripts/benchmark
})();
