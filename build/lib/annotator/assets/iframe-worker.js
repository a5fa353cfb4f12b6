/* Web workers cannot start from file:// pages, so the theme's search worker would fail when the
   built site is opened from disk. On file:// only, this replaces Worker with a hidden iframe that
   runs the worker script and passes messages both ways (the approach of Material's iframe-worker,
   kept local so the site makes no network request). As with a real worker, messages are copies
   and arrive asynchronously: Zensical's search fails ("Cycle detected") if they arrive at once.
   Over http(s) it does nothing. */
(function () {
  "use strict";
  if (location.protocol !== "file:") return;

  function later(fn) { setTimeout(fn, 0); }

  function FrameWorker(url) {
    var self = this;
    var listeners = [];
    this.onmessage = null;
    this.onerror = null;
    this.addEventListener = function (type, fn) { if (type === "message") listeners.push(fn); };
    this.removeEventListener = function (type, fn) { listeners = listeners.filter(function (f) { return f !== fn; }); };

    var frame = document.createElement("iframe");
    frame.hidden = true;
    frame.setAttribute("aria-hidden", "true");
    frame.tabIndex = -1;
    document.body.appendChild(frame);
    var inner = frame.contentWindow;

    // What the worker script sees as its global postMessage / importScripts.
    inner.postMessage = function (data) {
      var event = { data: structuredClone(data), target: self };
      later(function () {
        if (self.onmessage) self.onmessage(event);
        listeners.forEach(function (fn) { fn(event); });
      });
    };
    inner.importScripts = function () {};
    var queue = [];
    var ready = false;
    this.postMessage = function (data) {
      var copy = structuredClone(data);
      if (!ready) { queue.push(copy); return; }
      later(function () { inner.dispatchEvent(new MessageEvent("message", { data: copy })); });
    };
    this.terminate = function () { frame.remove(); };

    var script = inner.document.createElement("script");
    script.src = new URL(url, location.href).href;
    script.onload = function () {
      ready = true;
      queue.splice(0).forEach(function (copy) {
        later(function () { inner.dispatchEvent(new MessageEvent("message", { data: copy })); });
      });
    };
    inner.document.head.appendChild(script);
  }

  window.Worker = FrameWorker;
})();
