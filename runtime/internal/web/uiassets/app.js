// The UI's only script: a live refresh of the region marked data-live
// (the page is fetched again with ?partial=1 every few seconds while the
// "live" box is ticked), and event-type pickers that submit on change.
(function () {
  "use strict";
  var live = document.querySelector("[data-live]");
  var toggle = document.querySelector("[data-live-toggle]");
  if (live) {
    var busy = false;
    var refresh = function () {
      if (busy || document.hidden || (toggle && !toggle.checked)) return;
      // Keep open <details> open across refreshes.
      var open = {};
      live.querySelectorAll("details[open][data-step]").forEach(function (d) { open[d.dataset.step] = true; });
      var url = new URL(window.location.href);
      url.searchParams.set("partial", "1");
      busy = true;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) {
          // Sent to the login page (the session ended): show it whole.
          if (r.redirected) { window.location.reload(); return null; }
          return r.ok ? r.text() : null;
        })
        .then(function (html) {
          if (html === null) return;
          live.innerHTML = html;
          live.querySelectorAll("details[data-step]").forEach(function (d) { if (open[d.dataset.step]) d.open = true; });
          live.dispatchEvent(new CustomEvent("durable:refreshed", { bubbles: true }));
        })
        .catch(function () {})
        .finally(function () { busy = false; });
    };
    setInterval(refresh, 2000);
  }
  document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });
})();
