// The incidents map: country boundaries from the bundled GeoJSON (no tile server), one circle
// per incident sized by deaths and coloured by type, clustered when dense. Text from documents
// is put in the page with textContent only.
(function () {
  "use strict";
  var COLOURS = {
    "Battles": "#d62728",
    "Explosions/Remote violence": "#ff7f0e",
    "Violence against civilians": "#9467bd",
    "Protests": "#1f77b4",
    "Riots": "#8c564b",
    "Strategic developments": "#2ca02c"
  };
  var CLUSTER_ABOVE = 300;

  function radius(deaths) {
    return 4 + Math.min(26, 2.2 * Math.sqrt(deaths || 0));
  }

  function popup(props) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = "/incident/" + encodeURIComponent(props.incident_id);
    link.textContent = props.event_type + (props.sub_event_type ? ": " + props.sub_event_type : "");
    box.appendChild(link);
    var lines = [
      props.date + (props.place ? " · " + props.place : "") + (props.country ? ", " + props.country : ""),
      "deaths: " + (props.fatalities === "" ? "not stated" : props.fatalities),
      (props.actors || []).join(", ")
    ];
    lines.forEach(function (text) {
      if (!text) { return; }
      var line = document.createElement("div");
      line.textContent = text;
      box.appendChild(line);
    });
    return box;
  }

  function points(map, collection) {
    var many = collection.features.length > CLUSTER_ABOVE && L.markerClusterGroup;
    var layer = many ? L.markerClusterGroup({ disableClusteringAtZoom: 8, chunkedLoading: true }) : L.featureGroup();
    collection.features.forEach(function (f) {
      var p = f.properties;
      var c = f.geometry.coordinates;
      var marker = L.circleMarker([c[1], c[0]], {
        radius: radius(p.fatalities), color: "#333", weight: 1,
        fillColor: COLOURS[p.event_type] || "#7f7f7f", fillOpacity: 0.75
      });
      marker.bindPopup(popup(p));
      layer.addLayer(marker);
    });
    layer.addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds.pad(0.3), { maxZoom: 7, animate: false }); }
    document.getElementById("map").setAttribute("data-loaded", String(collection.features.length));
  }

  function start() {
    var element = document.getElementById("map");
    if (!element || typeof L === "undefined") { return; }
    var map = L.map(element, { worldCopyJump: true, attributionControl: true }).setView([25, 20], 2);
    map.attributionControl.addAttribution("Boundaries: Natural Earth");
    fetch(element.getAttribute("data-basemap"))
      .then(function (r) { return r.json(); })
      .then(function (countries) {
        L.geoJSON(countries, {
          style: { color: "#90a4ae", weight: 0.7, fillColor: "#f5f5f0", fillOpacity: 1 },
          interactive: false
        }).addTo(map);
        return fetch(element.getAttribute("data-points"));
      })
      .then(function (r) { return r.json(); })
      .then(function (collection) { points(map, collection); })
      .catch(function (error) { element.setAttribute("data-error", String(error)); });
  }

  document.addEventListener("DOMContentLoaded", start);
}());
