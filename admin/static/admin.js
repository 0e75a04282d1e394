// masthead admin: the live Markdown preview, the live progress of a send, and
// confirmations. No framework; the pages work without it.
"use strict";

// Confirm buttons that carry data-confirm.
document.addEventListener("click", function (e) {
  var b = e.target.closest("[data-confirm]");
  if (b && !window.confirm(b.getAttribute("data-confirm"))) e.preventDefault();
});

// Live preview: the server renders the Markdown exactly as the issue will.
document.querySelectorAll("textarea[data-preview]").forEach(function (ta) {
  var out = document.querySelector(ta.getAttribute("data-preview"));
  var timer = null, seq = 0;
  ta.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var mine = ++seq;
      var body = new URLSearchParams();
      body.set("body", ta.value);
      fetch("/admin/markdown", {
        method: "POST", credentials: "same-origin", body: body,
        headers: { "X-CSRF-Token": ta.getAttribute("data-csrf") }
      }).then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) { if (mine === seq) out.innerHTML = html; })
        .catch(function () { out.textContent = "(preview unavailable)"; });
    }, 250);
  });
});

// Live progress: poll the counts each second while the send runs.
(function () {
  var box = document.getElementById("progress");
  if (!box) return;
  var url = box.getAttribute("data-url");
  var was = box.getAttribute("data-status");
  function live(s) { return s === "sending" || s === "paused"; }
  function set(id, v) { var el = document.getElementById(id); if (el) el.textContent = v; }
  // The rows waiting for their readers' local time, as the page first
  // showed them (workspace.Progress.WaitingLine): the next group's time on
  // its own zone's clock, "06:00 Europe/London, Sun 25 Oct".
  function waitingLine(p) {
    if (!(p.waiting > 0)) return "";
    var s = "waiting for local time: " + p.waiting;
    var n = p.next_local;
    if (!n) return s;
    try {
      var parts = {};
      new Intl.DateTimeFormat("en-GB", { timeZone: n.zone, weekday: "short", day: "numeric", month: "short",
        hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(new Date(n.at))
        .forEach(function (x) { parts[x.type] = x.value; });
      return s + " (next at " + parts.hour + ":" + parts.minute + " " + n.zone + ", " +
        parts.weekday + " " + parts.day + " " + parts.month + ")";
    } catch (e) {
      return s + " (next at " + n.at + " " + n.zone + ")";
    }
  }
  function tick() {
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (p) {
      set("p-sent", p.sent); set("p-total", p.total); set("p-failed", p.failed);
      set("p-retrying", p.retrying); set("p-pending", p.pending); set("p-status", p.status);
      set("p-rate", p.rate.toFixed(1));
      set("p-eta", p.eta > 0 ? Math.round(p.eta) + " s" : p.waiting > 0 ? "waiting for local time" : "—");
      var w = document.getElementById("p-waiting");
      if (w) { w.hidden = !(p.waiting > 0); w.textContent = waitingLine(p); }
      var dn = document.getElementById("deliver-now");
      if (dn) { dn.style.display = p.waiting > 0 ? "" : "none"; }
      var bar = document.getElementById("p-bar");
      if (bar) { bar.max = Math.max(p.total, 1); bar.value = p.sent; }
      // masthead paused the send by itself: the page says why.
      if (box.getAttribute("data-status") === "sending" && p.status === "paused" && p.pause_reason) {
        location.reload();
        return;
      }
      box.setAttribute("data-status", p.status);
      var st = document.getElementById("issue-status");
      if (st) { st.textContent = p.status; st.className = "badge " + p.status; }
      // The send ended while the page was open: its buttons (pause, resume,
      // cancel) and the note that it is sending no longer apply.
      if (live(was) && !live(p.status)) {
        ["pause", "resume", "cancel-send"].forEach(function (id) {
          var b = document.getElementById(id);
          if (b && b.form) b.form.remove();
        });
        document.querySelectorAll(".flash").forEach(function (f) { f.remove(); });
        return;
      }
      if (live(p.status)) setTimeout(tick, 1000);
    }).catch(function () { setTimeout(tick, 5000); });
  }
  tick();
})();
