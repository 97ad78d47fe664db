// 介休文旅云 · 数据分析平台: reads the `statistics` GraphQL query with the signed-in user's token.
// No inline scripts (the page is served with script-src 'self'); the token lives in sessionStorage.
"use strict";

(function () {
  const TOKEN_KEY = "culture-cloud.dashboard.token";
  const GAP_DAYS = 30;
  const KINDS = [
    ["MUSEUM", "博物馆"], ["LIBRARY", "图书馆"], ["CULTURE_HALL", "文化馆"],
    ["TOWNSHIP_CULTURE_STATION", "乡镇综合文化站"], ["VILLAGE_CULTURE_CENTER", "村（社区）文化中心"],
    ["ART_TROUPE", "文艺院团"], ["HERITAGE_SITE", "文物保护单位"],
  ];
  const DIMENSIONS = [
    ["FACILITIES", "设施环境"], ["SERVICE", "服务质量"], ["CONTENT", "活动内容"],
    ["TOURISM_SERVICE", "旅游服务"], ["GUIDE_EXPLANATION", "讲解导览"],
  ];
  const MESSAGES = {
    UNAUTHENTICATED: "登录已过期，请重新登录",
    FORBIDDEN: "无权限",
    RATE_LIMITED: "尝试次数过多，请稍后再试",
    SERVICE_UNAVAILABLE: "系统繁忙，请稍后重试",
  };

  const $ = (id) => document.getElementById(id);
  const charts = {};
  let regions = [];

  class ApiError extends Error {
    constructor(code, message) { super(message); this.code = code; }
  }

  function token() { return sessionStorage.getItem(TOKEN_KEY); }

  async function gql(query, variables) {
    const headers = { "Content-Type": "application/json" };
    if (token()) headers.Authorization = "Bearer " + token();
    let response;
    try {
      response = await fetch("/graphql", {
        method: "POST", headers, body: JSON.stringify({ query, variables }),
      });
    } catch (e) {
      throw new ApiError("NETWORK", "无法连接服务器，请检查网络");
    }
    let body = null;
    try { body = await response.json(); } catch (e) { /* reported below */ }
    if (!body) throw new ApiError("BAD_RESPONSE", "服务器返回了无法识别的内容");
    if (body.errors && body.errors.length) {
      const err = body.errors[0];
      const code = (err.extensions && err.extensions.code) || "INTERNAL";
      throw new ApiError(code, MESSAGES[code] || err.message || "请求失败");
    }
    return body.data;
  }

  // ---- views ----------------------------------------------------------------------------
  function show(view) {
    $("login").hidden = view !== "login";
    $("denied").hidden = view !== "denied";
    $("board").hidden = view !== "board";
    $("who").hidden = view === "login";
  }

  function setState(state) { document.body.dataset.state = state; }

  function signOut(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    show("login");
    $("login-error").textContent = message || "";
    setState("login");
  }

  // ---- sign-in --------------------------------------------------------------------------
  const LOGIN = `mutation Login($username: String!, $password: String!) {
    loginWithPassword(username: $username, password: $password) {
      __typename
      ... on AuthPayload { accessToken }
      ... on UserError { code message }
    }
  }`;

  async function onLogin(event) {
    event.preventDefault();
    $("login-error").textContent = "";
    try {
      const data = await gql(LOGIN, { username: $("username").value.trim(), password: $("password").value });
      const result = data.loginWithPassword;
      if (result.__typename !== "AuthPayload") {
        $("login-error").textContent = result.message || "用户名或密码错误";
        return;
      }
      sessionStorage.setItem(TOKEN_KEY, result.accessToken);
      $("password").value = "";
      await start();
    } catch (e) {
      $("login-error").textContent = e.message;
    }
  }

  // ---- dashboard ------------------------------------------------------------------------
  const ME = `{ me { kind username realName organization { name } } regions { id name } }`;

  const MAIN = `query Dashboard($period: StatisticsPeriod!, $filter: StatisticsFilter, $gapDays: Int!) {
    statistics(period: $period, bucket: DAY, filter: $filter) {
      organizationId
      attendance {
        buckets { start bookings checkIns }
        totals { events bookings checkIns attendanceRate capacityUtilisation }
      }
      ratings { totals { reviews overallAverage } }
      coverageGaps(inactiveDays: $gapDays) { regionId name lastEventAt }
      complaints { total byCategory { category count } onTimeShare averageHandlingHours }
    }
  }`;

  const CATEGORY_LABELS = { COMPLAINT: "投诉", SUGGESTION: "建议", CONSULTATION: "咨询", PRAISE: "表扬" };

  const REGION = `query RegionFigures($period: StatisticsPeriod!, $filter: StatisticsFilter) {
    statistics(period: $period, bucket: MONTH, filter: $filter) {
      attendance { totals { bookings checkIns } }
    }
  }`;

  const KIND = `query KindRatings($period: StatisticsPeriod!, $filter: StatisticsFilter) {
    statistics(period: $period, bucket: MONTH, filter: $filter) {
      ratings { totals { reviews dimensions { dimension average count } } }
    }
  }`;

  function shanghaiToday(offsetDays) {
    const day = new Date(Date.now() + (offsetDays || 0) * 86400000);
    return new Intl.DateTimeFormat("en-CA", {
      timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
    }).format(day);
  }

  // An average or a share over nothing (no reviews, no bookings) is null: it is shown as "no
  // data", never as 0, which would read as the worst possible figure.
  const NO_DATA = "暂无数据";
  const missing = (value) => value === null || value === undefined;
  function percent(value) { return (value * 100).toFixed(1) + "%"; }
  function score(value) { return value.toFixed(2); }
  function hours(value) { return value.toFixed(1); }
  function count(value) { return value.toLocaleString("zh-CN"); }

  function setTile(id, raw, format) {
    const el = $(id);
    el.textContent = missing(raw) ? NO_DATA : format(raw);
    el.classList.toggle("none", missing(raw));
    el.dataset.value = missing(raw) ? "" : String(raw);
  }

  function chart(id) {
    if (!charts[id]) {
      charts[id] = echarts.init($(id), null, { renderer: "canvas" });
      // The chart follows its box, whatever changed it: the window, the phone turning, the
      // one-column layout below 900 px, a scrollbar appearing, the card being shown again.
      if (resizer) resizer.observe($(id));
    }
    return charts[id];
  }

  const resizer = typeof ResizeObserver === "undefined" ? null : new ResizeObserver((entries) => {
    for (const entry of entries) {
      const instance = echarts.getInstanceByDom(entry.target);
      if (instance && entry.contentRect.width > 0) instance.resize();
    }
  });

  const AXIS = { axisLabel: { color: "#c9d6ea" }, axisLine: { lineStyle: { color: "#4b6a96" } } };
  const LEGEND = { textStyle: { color: "#c9d6ea" }, top: 0 };

  function drawTrend(buckets) {
    chart("chart-trend").setOption({
      color: ["#4fd1ff", "#f6c343"],
      tooltip: { trigger: "axis" },
      legend: LEGEND,
      grid: { left: 48, right: 24, top: 36, bottom: 32 },
      xAxis: Object.assign({ type: "category", data: buckets.map((b) => b.start) }, AXIS),
      yAxis: Object.assign({ type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#1f4a85" } } }, AXIS),
      series: [
        { name: "预约", type: "line", data: buckets.map((b) => b.bookings) },
        { name: "签到", type: "line", data: buckets.map((b) => b.checkIns) },
      ],
    }, true);
  }

  function drawRegions(shown, figures) {
    const many = shown.length > 6;
    chart("chart-regions").setOption({
      baseOption: {
        color: ["#4fd1ff", "#f6c343"],
        tooltip: { trigger: "axis" },
        legend: LEGEND,
        grid: { left: 48, right: 24, top: 36, bottom: many ? 56 : 32 },
        xAxis: Object.assign({ type: "category", data: shown.map((r) => r.name) },
          { axisLabel: { color: "#c9d6ea", interval: 0, rotate: many ? 30 : 0 }, axisLine: AXIS.axisLine }),
        yAxis: Object.assign({ type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#1f4a85" } } }, AXIS),
        series: [
          { name: "预约", type: "bar", data: figures.map((f) => f.bookings) },
          { name: "签到", type: "bar", data: figures.map((f) => f.checkIns) },
        ],
      },
      // On a phone the 14 township names only fit standing upright (ECharts re-applies this
      // on every resize).
      media: many ? [{
        query: { maxWidth: 560 },
        option: { grid: { left: 36, right: 8, bottom: 72 }, xAxis: { axisLabel: { rotate: 90 } } },
      }] : [],
    }, true);
  }

  // The radar draws only what was rated. A kind without reviews is left out, a dimension
  // nobody scored is ECharts' missing value "-" (not 0), and both are named below the chart
  // and in the tooltip as "no data". With nothing rated at all the chart gives way to a note.
  function drawRadar(kinds) {
    const rated = kinds.filter((k) => k.totals.reviews > 0);
    const averages = rated.map((k) => DIMENSIONS.map(([dim]) => {
      const d = k.totals.dimensions.find((x) => x.dimension === dim);
      return d && !missing(d.average) ? Number(d.average.toFixed(2)) : null;
    }));
    const empty = rated.length === 0;
    $("radar-empty").hidden = !empty;
    $("chart-radar").hidden = empty;
    const notes = [];
    const unrated = kinds.filter((k) => k.totals.reviews === 0).map((k) => k.label);
    if (unrated.length && !empty) notes.push("暂无评价：" + unrated.join("、"));
    rated.forEach((k, i) => {
      const gaps = DIMENSIONS.filter((_, j) => averages[i][j] === null).map(([, name]) => name);
      if (gaps.length) notes.push(k.label + "暂无评分：" + gaps.join("、"));
    });
    $("radar-notes").replaceChildren(...notes.map((text) => {
      const li = document.createElement("li");
      li.textContent = text;
      return li;
    }));
    if (empty) {
      if (charts["chart-radar"]) charts["chart-radar"].clear();
      return;
    }
    chart("chart-radar").setOption({
      tooltip: {
        formatter: (p) => [p.name].concat(DIMENSIONS.map(([, name], j) =>
          name + "：" + (averages[p.dataIndex][j] === null ? NO_DATA : averages[p.dataIndex][j].toFixed(2)))).join("<br>"),
      },
      legend: Object.assign({ type: "scroll" }, LEGEND),
      radar: {
        indicator: DIMENSIONS.map(([, name]) => ({ name, max: 5 })),
        axisName: { color: "#c9d6ea" }, center: ["50%", "56%"], radius: "62%",
      },
      series: [{
        type: "radar",
        data: rated.map((k, i) => ({ name: k.label, value: averages[i].map((v) => (v === null ? "-" : v)) })),
      }],
    }, true);
  }

  function drawGaps(gaps) {
    const list = $("gaps");
    list.replaceChildren();
    if (!gaps.length) {
      const li = document.createElement("li");
      li.className = "none";
      li.textContent = "所有乡镇近30天都有活动";
      list.append(li);
      return;
    }
    for (const gap of gaps) {
      const li = document.createElement("li");
      const last = gap.lastEventAt ? "最近一次活动：" + gap.lastEventAt.slice(0, 10) : "暂无已举办的活动";
      li.textContent = gap.name + "（" + last + "）";
      li.dataset.regionId = gap.regionId;
      list.append(li);
    }
  }

  function drawComplaints(figures) {
    setTile("complaints-total", figures.total, count);
    setTile("complaints-on-time", figures.onTimeShare, percent);
    setTile("complaints-hours", figures.averageHandlingHours, hours);
    const categories = figures.byCategory;
    chart("chart-complaints").setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 20, top: 20, bottom: 30 },
      xAxis: Object.assign({ type: "category", data: categories.map((c) => CATEGORY_LABELS[c.category] || c.category) }, AXIS),
      yAxis: Object.assign({ type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#29466e" } } }, AXIS),
      series: [{ name: "件数", type: "bar", data: categories.map((c) => c.count), itemStyle: { color: "#f7c548" } }],
    }, true);
  }

  function currentFilter() {
    const filter = {};
    if ($("region").value) filter.regionIds = [$("region").value];
    if ($("kind").value) filter.venueKinds = [$("kind").value];
    return filter;
  }

  async function load() {
    setState("loading");
    $("board-error").textContent = "";
    const period = { from: $("from").value, to: $("to").value };
    if (!period.from || !period.to || period.to < period.from) {
      $("board-error").textContent = "请选择有效的时段：结束日期不能早于开始日期";
      setState("ready");
      return;
    }
    const filter = currentFilter();
    try {
      const main = (await gql(MAIN, { period, filter, gapDays: GAP_DAYS })).statistics;
      const shown = filter.regionIds ? regions.filter((r) => r.id === filter.regionIds[0]) : regions;
      const kindFilter = filter.venueKinds ? { venueKinds: filter.venueKinds } : {};
      const [perRegion, perKind] = await Promise.all([
        Promise.all(shown.map((r) =>
          gql(REGION, { period, filter: Object.assign({ regionIds: [r.id] }, kindFilter) })
            .then((d) => d.statistics.attendance.totals))),
        Promise.all(KINDS.filter(([k]) => !filter.venueKinds || filter.venueKinds[0] === k).map(([k, label]) =>
          gql(KIND, { period, filter: Object.assign({ venueKinds: [k] }, filter.regionIds ? { regionIds: filter.regionIds } : {}) })
            .then((d) => ({ kind: k, label, totals: d.statistics.ratings.totals })))),
      ]);
      const t = main.attendance.totals;
      setTile("tile-events", t.events, count);
      setTile("tile-bookings", t.bookings, count);
      setTile("tile-checkins", t.checkIns, count);
      setTile("tile-attendance-rate", t.attendanceRate, percent);
      setTile("tile-utilisation", t.capacityUtilisation, percent);
      const r = main.ratings.totals;
      setTile("tile-reviews", r.reviews, count);
      setTile("tile-rating", r.overallAverage, score);
      setTile("tile-gaps", main.coverageGaps.length, count);
      drawTrend(main.attendance.buckets);
      drawRegions(shown, perRegion);
      drawRadar(perKind);
      drawGaps(main.coverageGaps);
      drawComplaints(main.complaints);
      $("scope").textContent = main.organizationId ? "统计范围：本单位" : "统计范围：全市";
      setState("ready");
    } catch (e) {
      handle(e);
    }
  }

  function handle(e) {
    if (e.code === "UNAUTHENTICATED") { signOut(e.message); return; }
    if (e.code === "FORBIDDEN") { show("denied"); setState("denied"); return; }
    $("board-error").textContent = e.message;
    setState("error");
  }

  async function start() {
    if (!token()) { signOut(""); return; }
    setState("loading");
    let me;
    try {
      me = await gql(ME);
    } catch (e) {
      handle(e);
      return;
    }
    if (!me.me) { signOut("请先登录"); return; }
    const u = me.me;
    $("who-name").textContent = (u.realName || u.username || "") + (u.organization ? " · " + u.organization.name : "");
    if (u.kind === "RESIDENT") { show("denied"); setState("denied"); return; }
    regions = me.regions;
    const select = $("region");
    select.replaceChildren(new Option("全部乡镇", ""));
    for (const region of regions) select.append(new Option(region.name, region.id));
    show("board");
    await load();
  }

  function init() {
    const kind = $("kind");
    for (const [value, label] of KINDS) kind.append(new Option(label, value));
    $("from").value = shanghaiToday(-29);
    $("to").value = shanghaiToday(0);
    $("login-form").addEventListener("submit", onLogin);
    $("filters").addEventListener("submit", (event) => { event.preventDefault(); load(); });
    $("logout").addEventListener("click", () => signOut(""));
    if (!resizer) window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
    start();
  }

  if (typeof echarts === "undefined") {
    document.addEventListener("DOMContentLoaded", () => {
      document.body.textContent = "图表组件加载失败，请刷新页面";
    });
  } else {
    init();
  }
})();
