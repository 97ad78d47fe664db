/* 介休文旅云: the door page (/console/door/<kind>/<id>) on a checker's phone.

   Scan a QR code with the camera (BarcodeDetector where the browser has it, else the vendored
   jsQR), type it, or find a booking by phone digits or name; the answer is a large green or red
   box and the running count. Without this file the page's forms still check in and search.

   Offline: the door list (every page of doorList, with its verifierKey) is kept in
   localStorage. A scanned code is hashed here exactly as the server computes a verifier
   (HMAC-SHA256 under the key, base64url, 22 characters) and looked up; a green answer is
   queued with its clientRef and scannedAt (corrected to the server's clock). The queue
   survives a reload and is sent with checkInBatch when the network is back; each item's
   result is reported, including codes checked in at another door meanwhile. */
(function () {
  "use strict";

  var REPEAT_MS = 6000;    // the same code seen again within this is the same scan
  var SCAN_EVERY_MS = 250;
  var RETRY_MS = 20000;    // queued scans: next try while the server is unreachable
  var REFRESH_MS = 60000;  // the door list: other doors' check-ins, late bookings
  var KEEP_MS = 2 * 24 * 3600 * 1000;  // other doors' lists with nothing left to send
  var CHUNK = 100;         // scans per upload (the API takes 200)

  var root = document.querySelector("[data-door]");
  if (!root) return;
  var urls = {
    list: root.getAttribute("data-list-url"),
    search: root.getAttribute("data-search-url"),
    checkIn: root.getAttribute("data-check-in-url"),
    jsqr: root.getAttribute("data-jsqr-url")
  };
  var csrf = root.getAttribute("data-csrf");
  var storeKey = "cc-door:v1:" + root.getAttribute("data-target");
  var state = load();
  var uploading = false;

  function $(id) { return document.getElementById(id); }

  // ---- storage -----------------------------------------------------------------------------

  function load() {
    try {
      var saved = JSON.parse(localStorage.getItem(storeKey) || "null");
      if (saved && Array.isArray(saved.queue)) return saved;
    } catch (e) { /* unreadable: start again */ }
    return { list: null, queue: [], offset: 0 };
  }

  // The lists of other days' doors (masked names, verifiers) are not kept on the phone.
  function forgetOldDoors() {
    for (var i = localStorage.length - 1; i >= 0; i--) {
      var key = localStorage.key(i);
      if (!key || key.indexOf("cc-door:") !== 0 || key === storeKey) continue;
      try {
        var other = JSON.parse(localStorage.getItem(key));
        var fetched = other && other.list ? other.list.fetchedAt : 0;
        if (other && other.queue && other.queue.length) continue;
        if (Date.now() - fetched > KEEP_MS) localStorage.removeItem(key);
      } catch (e) { localStorage.removeItem(key); }
    }
  }

  function save() {
    try { localStorage.setItem(storeKey, JSON.stringify(state)); } catch (e) { /* full or private mode */ }
    showStatus();
  }

  // ---- the server ----------------------------------------------------------------------------

  function call(method, url, body) {
    var headers = { Accept: "application/json", "X-CSRF-Token": csrf };
    if (body) headers["Content-Type"] = "application/json";
    return fetch(url, {
      method: method, credentials: "same-origin", headers: headers,
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) return data;
        var error = new Error((data.error && data.error.message) || "服务器暂时无法处理");
        error.status = response.status;
        throw error;
      });
    });
  }

  // A network drop or a server outage: work from the kept list. Anything else is an answer.
  function unreachable(error) { return !error.status || error.status >= 500; }

  function serverNow() { return new Date(Date.now() + (state.offset || 0)).toISOString(); }

  function newRef() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  // ---- the door list -------------------------------------------------------------------------

  function download() {
    var entries = [];
    var head = null;
    function page(after) {
      return call("GET", urls.list + (after ? "?after=" + encodeURIComponent(after) : ""))
        .then(function (data) {
          head = head || data;
          entries = entries.concat(data.entries);
          return data.hasNextPage ? page(data.endCursor) : null;
        });
    }
    return page(null).then(function () {
      var marks = {};
      entriesOf().forEach(function (e) { if (e.localAt) marks[e.bookingId] = e.localAt; });
      entries.forEach(function (e) {
        if (marks[e.bookingId] && e.status !== "CHECKED_IN") e.localAt = marks[e.bookingId];
      });
      state.offset = Date.parse(head.serverTime) - Date.now();
      state.list = {
        bookedSeats: head.bookedSeats, checkedInSeats: head.checkedInSeats,
        verifierKey: head.verifierKey, fetchedAt: Date.now(), entries: entries
      };
      save();
    });
  }

  function entriesOf() { return state.list ? state.list.entries : []; }

  function entryBy(field, value) {
    var found = null;
    entriesOf().forEach(function (e) { if (e[field] === value) found = e; });
    return found;
  }

  // HMAC-SHA256(base64url-decoded key, code without surrounding blanks), base64url, 22 chars.
  function verifierOf(code) {
    var raw = atob(state.list.verifierKey.replace(/-/g, "+").replace(/_/g, "/"));
    var key = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) key[i] = raw.charCodeAt(i);
    return crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then(function (k) { return crypto.subtle.sign("HMAC", k, new TextEncoder().encode(code.trim())); })
      .then(function (mac) {
        var text = String.fromCharCode.apply(null, new Uint8Array(mac));
        return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").slice(0, 22);
      });
  }

  // ---- answers -------------------------------------------------------------------------------

  function clock(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  function nameOf(entry) {
    return (entry && (entry.bookerName || (entry.attendeeNames || [])[0])) || "";
  }

  function show(pass, headline, entry, detail) {
    var box = $("door-answer");
    box.className = "door-answer " + (pass ? "door-pass" : "door-fail");
    box.textContent = "";
    var who = entry ? entry.seats + " 人 · " + nameOf(entry) : "";
    [["door-headline", headline], ["door-who", who], ["door-detail", detail]].forEach(function (part) {
      if (!part[1]) return;
      var line = document.createElement("p");
      line.className = part[0];
      line.textContent = part[1];
      box.appendChild(line);
    });
    showCount();
  }

  function showServerAnswer(result) {
    var entry = result.entry;
    if (result.outcome === "CHECKED_IN" || result.replayed) return show(true, "通过", entry, "");
    if (result.outcome === "ALREADY_CHECKED_IN") {
      var when = result.checkedInAt ? "已于 " + clock(result.checkedInAt) + " 签到" : "已签到";
      return show(false, "已签到", entry, when + (result.byAnotherChecker ? "（其他核验员）" : ""));
    }
    show(false, "未通过", entry, result.message);
  }

  function judgeLocally(item) {
    if (!state.list) {
      return Promise.resolve({ pass: false, detail: "尚未下载本场名单，无法离线核验，请联网后重试" });
    }
    var found = item.bookingId
      ? Promise.resolve(entryBy("bookingId", item.bookingId))
      : window.crypto && crypto.subtle
        ? verifierOf(item.code).then(function (v) { return entryBy("verifier", v); })
        : Promise.resolve(undefined);
    return found.then(function (entry) {
      if (entry === undefined) return { pass: false, detail: "此设备不支持离线核验（需 HTTPS），请联网后重试" };
      if (!entry) return { pass: false, detail: "不在本场名单：签到码无效，或不是本场的预约" };
      if (entry.status === "CHECKED_IN") {
        return { pass: false, entry: entry, detail: "已于 " + clock(entry.checkedInAt) + " 签到" };
      }
      if (entry.localAt) return { pass: false, entry: entry, detail: "本机已于 " + clock(entry.localAt) + " 放行" };
      entry.localAt = item.scannedAt;
      return { pass: true, entry: entry };
    });
  }

  // One scan, typed code or search result: online the server decides; unreachable, the list.
  function answer(item) {
    item.clientRef = newRef();
    item.scannedAt = serverNow();
    return call("POST", urls.checkIn, { items: [item] })
      .then(function (data) {
        applyResults(data, false);
        showServerAnswer(data.results[0]);
      })
      .catch(function (error) {
        if (!unreachable(error)) return show(false, "未通过", null, error.message);
        return judgeLocally(item).then(function (verdict) {
          if (verdict.pass) state.queue.push(item);
          save();
          if (verdict.pass) show(true, "通过", verdict.entry, "离线放行，联网后自动上传");
          else show(false, "未通过", verdict.entry, verdict.detail);
        });
      });
  }

  // ---- the queue -----------------------------------------------------------------------------

  function applyResults(data, report) {
    data.results.forEach(function (result) {
      state.queue = state.queue.filter(function (q) { return q.clientRef !== result.clientRef; });
      var entry = result.entry && entryBy("bookingId", result.entry.bookingId);
      if (entry && (result.outcome === "CHECKED_IN" || result.outcome === "ALREADY_CHECKED_IN")) {
        entry.status = "CHECKED_IN";
        entry.checkedInAt = result.checkedInAt;
        delete entry.localAt;
      }
      if (report) addReport(result);
    });
    if (state.list && typeof data.checkedInSeats === "number") state.list.checkedInSeats = data.checkedInSeats;
    save();
  }

  function addReport(result) {
    var who = result.entry ? nameOf(result.entry) + " " + result.entry.seats + " 人" : "";
    var text;
    if (result.outcome === "CHECKED_IN" || (result.outcome === "ALREADY_CHECKED_IN" && result.replayed)) {
      text = "已上传：" + who + " 签到成功";
    } else if (result.outcome === "ALREADY_CHECKED_IN") {
      text = "注意：" + who + (result.byAnotherChecker ? " 已在其他入口签到" : " 此前已签到") +
        "（" + clock(result.checkedInAt) + "），本机离线放行的是重复入场";
    } else {
      text = "未签到：" + (who ? who + "，" : "") + result.message;
    }
    var li = document.createElement("li");
    li.className = result.outcome === "CHECKED_IN" || result.replayed ? "door-ok" : "door-warn";
    li.textContent = text;
    $("door-reports").prepend(li);
    $("door-reports-section").hidden = false;
  }

  function upload() {
    if (uploading || !state.queue.length) return Promise.resolve();
    uploading = true;
    var batch = state.queue.slice(0, CHUNK).map(function (q) {
      return q.code ? { clientRef: q.clientRef, scannedAt: q.scannedAt, code: q.code }
        : { clientRef: q.clientRef, scannedAt: q.scannedAt, bookingId: q.bookingId };
    });
    return call("POST", urls.checkIn, { items: batch })
      .then(function (data) { applyResults(data, true); })
      .catch(function (error) {
        if (!unreachable(error)) $("door-status").textContent = "待上传的签到未能发送：" + error.message;
      })
      .then(function () {
        uploading = false;
        if (state.queue.length && navigator.onLine) setTimeout(upload, 0);
      });
  }

  // ---- what the page shows -------------------------------------------------------------------

  function showCount() {
    if (!state.list) return;
    var pending = 0;
    entriesOf().forEach(function (e) { if (e.localAt && e.status !== "CHECKED_IN") pending += e.seats; });
    $("door-checked").textContent = String(state.list.checkedInSeats + pending);
    $("door-booked").textContent = String(state.list.bookedSeats);
  }

  function showStatus() {
    var parts = [navigator.onLine ? "在线" : "离线"];
    if (state.list) parts.push("名单 " + entriesOf().length + " 笔（" + clock(state.list.fetchedAt) + " 更新）");
    else parts.push("名单未下载");
    if (state.queue.length) parts.push("待上传 " + state.queue.length + " 条");
    var status = $("door-status");
    status.textContent = parts.join(" · ");
    status.setAttribute("data-queued", String(state.queue.length));
    showCount();
  }

  // ---- search --------------------------------------------------------------------------------

  function searchLocally(text) {
    var digits = /^[0-9]{4}$/.test(text);
    return entriesOf().filter(function (e) {
      if (digits) return (e.bookerPhone || "").slice(-4) === text;
      return [e.bookerName || ""].concat(e.attendeeNames || []).some(function (n) { return n.indexOf(text) >= 0; });
    }).slice(0, 20);
  }

  function showFound(entries, offline) {
    var list = $("door-results");
    list.textContent = "";
    if (!entries.length) {
      var none = document.createElement("li");
      none.textContent = offline ? "离线名单中没有找到（离线时姓名已脱敏，请用手机号后四位）" : "没有找到";
      list.appendChild(none);
    }
    entries.forEach(function (e) {
      var li = document.createElement("li");
      var label = document.createElement("span");
      label.textContent = nameOf(e) + " · " + (e.bookerPhone || "") + " · " + e.seats + " 人";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button";
      var done = e.status === "CHECKED_IN";
      button.textContent = done ? "已签到" : "签到";
      button.disabled = done;
      button.addEventListener("click", function () {
        button.disabled = true;
        answer({ bookingId: e.bookingId });
      });
      li.appendChild(label);
      li.appendChild(button);
      list.appendChild(li);
    });
  }

  function search(text) {
    return call("POST", urls.search, { text: text })
      .then(function (data) { showFound(data.entries, false); })
      .catch(function (error) {
        if (!unreachable(error)) return show(false, "无法查找", null, error.message);
        showFound(searchLocally(text), true);
      });
  }

  // ---- the camera ----------------------------------------------------------------------------

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) return resolve();
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = function () { reject(new Error("jsQR")); };
      document.head.appendChild(script);
    });
  }

  // A function video -> Promise of the text of a QR code in view (or null).
  function detector() {
    if ("BarcodeDetector" in window) {
      return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        if (formats.indexOf("qr_code") < 0) return jsqrDetector();
        var native = new window.BarcodeDetector({ formats: ["qr_code"] });
        return function (video) {
          return native.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
        };
      });
    }
    return jsqrDetector();
  }

  function jsqrDetector() {
    return loadScript(urls.jsqr).then(function () {
      var canvas = document.createElement("canvas");
      var context = canvas.getContext("2d", { willReadFrequently: true });
      return function (video) {
        var scale = Math.min(1, 640 / Math.max(video.videoWidth, video.videoHeight));
        canvas.width = Math.round(video.videoWidth * scale);
        canvas.height = Math.round(video.videoHeight * scale);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        return Promise.resolve(found ? found.data : null);
      };
    });
  }

  var camera = { stream: null, timer: null, last: "", lastAt: 0, busy: false };

  function startCamera() {
    var video = $("door-video");
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return cameraFailed();
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (stream) {
        camera.stream = stream;
        video.srcObject = stream;
        video.hidden = false;
        $("door-camera-start").hidden = true;
        $("door-camera-stop").hidden = false;
        return Promise.all([video.play(), detector()]);
      })
      .then(function (ready) { scanLoop(video, ready[1]); })
      .catch(cameraFailed);
  }

  function scanLoop(video, detect) {
    camera.timer = setTimeout(function tick() {
      if (!camera.stream) return;
      var next = function () { camera.timer = setTimeout(tick, SCAN_EVERY_MS); };
      if (camera.busy || !video.videoWidth) return next();
      detect(video).then(function (text) {
        var now = Date.now();
        if (!text || (text === camera.last && now - camera.lastAt < REPEAT_MS)) return null;
        camera.last = text;
        camera.busy = true;
        return answer({ code: text.trim() }).then(function () {
          camera.lastAt = Date.now();
          camera.busy = false;
        });
      }).catch(function () { camera.busy = false; }).then(next);
    }, SCAN_EVERY_MS);
  }

  function stopCamera() {
    if (camera.stream) camera.stream.getTracks().forEach(function (t) { t.stop(); });
    camera.stream = null;
    clearTimeout(camera.timer);
    $("door-video").hidden = true;
    // jsQR now, while online: the network may be gone when the camera is needed.
  if (!("BarcodeDetector" in window)) loadScript(urls.jsqr).catch(function () {});
  $("door-camera-start").hidden = false;
    $("door-camera-stop").hidden = true;
  }

  function cameraFailed() {
    stopCamera();
    $("door-camera-note").textContent = "无法使用摄像头（未授权或没有摄像头）：请在下方输入签到码，或按手机号、姓名查找。";
    $("door-code").focus();
  }

  // ---- start ---------------------------------------------------------------------------------

  $("door-code-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = $("door-code");
    var code = input.value.trim();
    if (!code) return input.focus();
    input.value = "";
    answer({ code: code });
  });
  $("door-search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = $("door-search").value.trim();
    if (text) search(text);
  });
  // jsQR now, while online: the network may be gone when the camera is needed.
  if (!("BarcodeDetector" in window)) loadScript(urls.jsqr).catch(function () {});
  $("door-camera-start").hidden = false;
  $("door-camera-start").addEventListener("click", startCamera);
  $("door-camera-stop").addEventListener("click", stopCamera);

  function refresh() {
    if (!navigator.onLine) return Promise.resolve();
    return upload().then(download).catch(function () { /* keep the list we have */ }).then(showStatus);
  }
  window.addEventListener("online", function () { refresh(); });
  window.addEventListener("offline", showStatus);
  setInterval(function () { if (state.queue.length) upload(); }, RETRY_MS);
  setInterval(refresh, REFRESH_MS);
  try { forgetOldDoors(); } catch (e) { /* no storage: nothing kept */ }
  root.setAttribute("data-ready", "1");
  refresh().then(function () { root.setAttribute("data-list-ready", state.list ? "1" : "0"); });
  showStatus();
})();
