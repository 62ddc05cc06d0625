/* NQ42 Tracker report pages: unpack and draw the figures (inlined once per page).
   plotly.js, every figure and every CSV download are stored gzip-compressed (base64) in the
   page; the browser's own DecompressionStream unpacks them, so a page is about a third of the
   size it would be uncompressed and still needs no network. A browser without
   DecompressionStream gets a message in place of each chart, never a blank one.
   <html data-nq42-figures> ends as "drawn", "failed" or "unsupported". */
(function () {
  "use strict";
  var doc = document, root = doc.documentElement, text = window.NQ42_TEXT || {};

  function bytesOf(b64) {
    var raw = atob(b64), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }
  function inflate(b64) {  /* -> Promise of a Blob holding the uncompressed bytes */
    var stream = new Blob([bytesOf(b64.trim())]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).blob();
  }
  function notice(message) {
    Array.prototype.forEach.call(doc.querySelectorAll(".nq42-plot:not(.js-plotly-plot)"), function (div) {
      div.textContent = message;
      div.className += " nq42-plot-missing";
      div.setAttribute("role", "alert");
    });
  }
  function links() {
    Array.prototype.forEach.call(doc.querySelectorAll("a[data-nq42-gzip]"), function (a) {
      inflate(a.getAttribute("data-nq42-gzip")).then(function (blob) {
        a.href = URL.createObjectURL(new Blob([blob], {type: a.getAttribute("data-nq42-type")}));
        a.removeAttribute("data-nq42-gzip");
      });
    });
  }
  function draw(templates) {
    var nodes = doc.querySelectorAll('script[type="application/x-nq42-figure"]');
    return Promise.all(Array.prototype.map.call(nodes, function (node) {
      return inflate(node.textContent).then(function (blob) { return blob.text(); }).then(function (json) {
        var fig = JSON.parse(json), layout = fig.layout;
        if (fig.template !== null && fig.template !== undefined) {
          layout = Object.assign({template: templates[fig.template]}, layout);
        }
        return Plotly.newPlot(node.getAttribute("data-target"), fig.data, layout, fig.config);
      });
    }));
  }
  function start() {
    if (typeof DecompressionStream === "undefined" || !window.Blob || !Blob.prototype.stream) {
      notice(text.old_browser || "");
      root.setAttribute("data-nq42-figures", "unsupported");
      return;
    }
    links();
    var bundle = doc.getElementById("nq42-plotlyjs"), tpl = doc.getElementById("nq42-templates");
    if (!bundle) { root.setAttribute("data-nq42-figures", "drawn"); return; }
    inflate(bundle.textContent).then(function (blob) { return blob.text(); }).then(function (js) {
      var script = doc.createElement("script");
      script.textContent = js;
      doc.head.appendChild(script);  /* runs now: defines window.Plotly */
      return tpl ? inflate(tpl.textContent).then(function (b) { return b.text(); }).then(JSON.parse) : [];
    }).then(draw).then(function () {
      root.setAttribute("data-nq42-figures", "drawn");
    }, function (err) {
      notice(text.failed || "");
      root.setAttribute("data-nq42-figures", "failed");
      if (window.console) { console.error("NQ42: figures not drawn:", err); }
    });
  }
  if (doc.readyState === "loading") { doc.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
