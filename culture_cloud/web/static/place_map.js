/* 介休文旅云: the map on the console's place form (/console/places/<kind>/<id>/edit).

   A click on the map (or dragging its marker) writes the point into the form's 纬度 and 经度
   fields and selects the tiles' datum (GCJ-02 for the default AMap tiles: a point on them is
   a GCJ-02 point), so the server saves it like typed coordinates. Coordinates typed in that
   datum move the marker. When tiles fail to load (no network, provider unreachable) the map
   says so; the fields still work. Without this file, or without Leaflet, the map stays hidden
   and the form is the same form. Vendored Leaflet (static/leaflet/) must load first. */
(function () {
  "use strict";

  var box = document.querySelector("[data-place-map]");
  var lat = document.getElementById("f-lat");
  var lng = document.getElementById("f-lng");
  var system = document.getElementById("f-system");
  if (!box || !lat || !lng || !system || !window.L) return;

  var datum = box.getAttribute("data-datum");
  var tiles = document.getElementById("place-map-tiles");
  var picked = document.getElementById("place-map-picked");
  box.hidden = false;

  var centre = [Number(box.getAttribute("data-lat")), Number(box.getAttribute("data-lng"))];
  var map = L.map("place-map", { zoomControl: false, minZoom: 3, maxZoom: 18 })
    .setView(centre, Number(box.getAttribute("data-zoom")));
  L.control.zoom({ zoomInTitle: "放大", zoomOutTitle: "缩小" }).addTo(map);
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');

  L.tileLayer(box.getAttribute("data-tile-url"), {
    subdomains: box.getAttribute("data-subdomains") || "abc",
    attribution: box.getAttribute("data-attribution") || "",
    maxZoom: 18
  })
    .on("tileerror", function () { tiles.hidden = false; })
    .on("tileload", function () { tiles.hidden = true; })
    .addTo(map);

  var marker = null;

  function mark(point) {
    if (marker) {
      marker.setLatLng(point);
      return;
    }
    marker = L.marker(point, { draggable: true, keyboard: false, alt: "选定的位置" }).addTo(map);
    marker.on("dragend", function () { fill(marker.getLatLng()); });
  }

  // Six decimals are about 10 cm: finer than a click can mean.
  function fill(point) {
    point = point.wrap();
    lat.value = point.lat.toFixed(6);
    lng.value = point.lng.toFixed(6);
    system.value = datum;
    mark(point);
    picked.textContent = "已填入纬度 " + lat.value + "、经度 " + lng.value + "（" +
      system.options[system.selectedIndex].text + "），保存后生效。";
  }

  function typed() {
    var point = [Number(lat.value), Number(lng.value)];
    if (system.value !== datum || !lat.value || !lng.value) return;
    if (!isFinite(point[0]) || !isFinite(point[1]) || Math.abs(point[0]) > 90) return;
    mark(point);
    map.panTo(point);
  }

  if (box.hasAttribute("data-marked")) mark(centre);
  map.on("click", function (event) { fill(event.latlng); });
  [lat, lng, system].forEach(function (field) { field.addEventListener("change", typed); });
}());
