/* bilateral dashboard: the pair selector. Choosing a reporter lists its partners (from /api/pairs, the
   read layer's pairs with their periods), so the partner box only offers pairs the store can serve. */
(function () {
  "use strict";

  function option(code, text, selected) {
    var o = document.createElement("option");
    o.value = code;
    o.textContent = text;
    o.selected = selected;
    return o;
  }

  function wire() {
    var form = document.querySelector("form.pair-form");
    if (!form) { return; }
    var reporter = form.querySelector("select[name=reporter]");
    var partner = form.querySelector("select[name=partner]");
    if (!reporter || !partner) { return; }
    reporter.addEventListener("change", function () {
      var keep = partner.value;
      var asked = reporter.value;
      partner.disabled = true;
      form.removeAttribute("data-partners-for");
      fetch(form.getAttribute("data-pairs-url") + "?reporter=" + encodeURIComponent(asked),
            { headers: { accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error("HTTP " + r.status)); })
        .then(function (d) {
          if (reporter.value !== asked) { return; }  /* a later choice wins */
          partner.textContent = "";
          d.pairs.forEach(function (c) {
            partner.appendChild(option(c.partner, c.partner_name + " (" + c.partner + ") · " + c.span, c.partner === keep));
          });
          if (!d.pairs.length) { partner.appendChild(option("", "no partner in the store", true)); }
          partner.disabled = false;
          form.setAttribute("data-partners-for", asked);
        }, function () { partner.disabled = false; });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
}());
