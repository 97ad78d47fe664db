/* 介休文旅云: live seats and the booking form. Progressive enhancement only: without this file
   the seats are those the page was rendered with and the form posts as it is.

   Live seats ([data-live-seats]): a signed-in visitor's page subscribes to eventSeats over
   graphql-transport-ws (the session cookie authenticates the same-origin socket); anyone else,
   or when the socket fails, polls the element's data-poll-url every 10 seconds while the page
   is visible. Both show the same figures (the server's seat hub): pushed at most once per
   tick, polled at most a tick old. */
(function () {
  "use strict";

  var POLL_SECONDS = 10;
  // The server closes a socket that stopped reading with 1013 ("try again later"): come back
  // a few times, a few seconds apart (spread, so a server's worth of pages do not return at
  // once), before settling for polling.
  var RETRY_CODE = 1013, RETRIES = 3;

  function seatsText(remaining, waitlist) {
    if (remaining === null || remaining === undefined) return "不限";
    if (remaining > 0) return remaining + " 个";
    return waitlist ? "已约满，可登记候补" : "已约满";
  }

  function liveSeats(el) {
    var text = el.querySelector("[data-seats-text]");
    var waitlist = el.getAttribute("data-waitlist") === "1";
    var pollUrl = el.getAttribute("data-poll-url");
    var seconds = Number(el.getAttribute("data-poll-seconds")) || POLL_SECONDS;
    var timer = null;
    var retries = 0;

    function show(remaining) {
      var value = remaining === null ? "" : String(remaining);
      if (el.getAttribute("data-remaining") === value) return;
      el.setAttribute("data-remaining", value);
      if (text) text.textContent = seatsText(remaining, waitlist);
    }

    function poll() {
      clearTimeout(timer);
      if (document.hidden) return; // resumed by visibilitychange
      fetch(pollUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) { if (body && "remainingSeats" in body) show(body.remainingSeats); })
        .catch(function () {})
        .then(function () { timer = setTimeout(poll, seconds * 1000); });
    }

    function startPolling() {
      if (!pollUrl || el.getAttribute("data-polling") === "1") return;
      el.setAttribute("data-polling", "1");
      document.addEventListener("visibilitychange", function () { if (!document.hidden) poll(); });
      timer = setTimeout(poll, seconds * 1000);
    }

    function subscribe() {
      var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/graphql";
      var socket;
      try { socket = new WebSocket(url, "graphql-transport-ws"); } catch (e) { startPolling(); return; }
      var live = false;
      socket.onopen = function () {
        // No token here: the browser sent the HttpOnly session cookie with the handshake.
        socket.send(JSON.stringify({ type: "connection_init", payload: {} }));
      };
      socket.onmessage = function (message) {
        var data;
        try { data = JSON.parse(message.data); } catch (e) { return; }
        if (data.type === "connection_ack") {
          live = true;
          el.setAttribute("data-live", "socket");
          socket.send(JSON.stringify({
            id: "seats", type: "subscribe",
            payload: {
              query: "subscription($id: ID!) { eventSeats(eventId: $id) { remainingSeats } }",
              variables: { id: el.getAttribute("data-event-id") }
            }
          }));
        } else if (data.type === "next" && data.payload && data.payload.data) {
          show(data.payload.data.eventSeats.remainingSeats);
        } else if (data.type === "ping") {
          socket.send(JSON.stringify({ type: "pong" }));
        } else if (data.type === "error") {
          socket.close();
        }
      };
      socket.onclose = function (event) {
        if (live) el.removeAttribute("data-live");
        if (event.code === RETRY_CODE && retries < RETRIES) {
          retries += 1;
          setTimeout(subscribe, 1000 + Math.random() * 3000);
          return;
        }
        // Refused (the session expired), a server restart, a network change: keep the
        // figure fresh by polling instead.
        startPolling();
      };
    }

    if (el.getAttribute("data-socket") === "1" && "WebSocket" in window) subscribe();
    else startPolling();
  }

  // Real-name bookings: show as many attendee rows as seats chosen.
  function attendeeRows(select) {
    var form = select.form;
    function update() {
      var count = Number(select.value) || 1;
      form.querySelectorAll("[data-attendee]").forEach(function (row) {
        row.hidden = Number(row.getAttribute("data-attendee")) > count;
      });
    }
    select.addEventListener("change", update);
    update();
  }

  // One post per form: a second click while the first is on its way does nothing (the server
  // would answer it with the same booking anyway).
  function once(form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sent") === "1") { event.preventDefault(); return; }
      form.setAttribute("data-sent", "1");
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
    });
    // Back to a page kept in the browser's cache: the form may be sent again.
    window.addEventListener("pageshow", function () {
      form.removeAttribute("data-sent");
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.removeAttribute("aria-disabled"); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-live-seats]").forEach(liveSeats);
    document.querySelectorAll("select[data-attendee-count]").forEach(attendeeRows);
    document.querySelectorAll("form[data-once]").forEach(once);
  });
})();
