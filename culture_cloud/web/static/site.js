/* 介休文旅云: progressive enhancement only. Every page works without this file. */
(function () {
  "use strict";

  // Search suggestions as one types: the page's GET form still works without them.
  function suggest(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var endpoint = input.getAttribute("data-suggest");
    if (!list || !endpoint) return;
    var timer = null;
    var last = "";
    var active = -1;

    function close() {
      list.hidden = true;
      list.textContent = "";
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function show(items) {
      list.textContent = "";
      items.forEach(function (item, index) {
        var li = document.createElement("li");
        li.setAttribute("role", "presentation");
        var a = document.createElement("a");
        a.href = item.url;
        a.id = list.id + "-" + index;
        a.setAttribute("role", "option");
        a.textContent = item.label;
        if (item.kind) {
          var kind = document.createElement("span");
          kind.className = "muted";
          kind.textContent = " · " + item.kind;
          a.appendChild(kind);
        }
        li.appendChild(a);
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
    }

    function fetchNow() {
      var text = input.value.trim();
      if (text === last) return;
      last = text;
      if (!text) { close(); return; }
      fetch(endpoint + "?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (body) { if (input.value.trim() === text) show(body.items || []); })
        .catch(close);
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchNow, 200);
    });
    input.addEventListener("keydown", function (event) {
      var options = list.querySelectorAll("[role=option]");
      if (event.key === "Escape") { close(); return; }
      if (!options.length || (event.key !== "ArrowDown" && event.key !== "ArrowUp")) return;
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : -1) + options.length) % options.length;
      options.forEach(function (o, i) { o.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", options[active].id);
      if (event.key === "ArrowDown" || event.key === "ArrowUp") options[active].scrollIntoView({ block: "nearest" });
    });
    input.form && input.form.addEventListener("submit", function (event) {
      var options = list.querySelectorAll("[role=option]");
      if (active >= 0 && options[active]) {
        event.preventDefault();
        window.location.href = options[active].href;
      }
    });
    document.addEventListener("click", function (event) {
      if (event.target !== input && !list.contains(event.target)) close();
    });
  }

  // "Near me": the browser's location fills the GET form's lat/lng and submits it.
  function nearMe(button) {
    if (!("geolocation" in navigator)) return;
    var form = document.getElementById(button.getAttribute("data-form"));
    var status = document.getElementById(button.getAttribute("data-status"));
    button.hidden = false;
    button.addEventListener("click", function () {
      if (status) status.textContent = "正在获取您的位置…";
      navigator.geolocation.getCurrentPosition(
        function (position) {
          form.elements.lat.value = position.coords.latitude.toFixed(6);
          form.elements.lng.value = position.coords.longitude.toFixed(6);
          form.submit();
        },
        function () { if (status) status.textContent = "无法获取位置，请在下方手动输入或检查定位权限。"; },
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 }
      );
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-suggest]").forEach(suggest);
    document.querySelectorAll("button[data-near-me]").forEach(nearMe);
  });
})();
