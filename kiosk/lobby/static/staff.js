// The staff page: every kiosk and device green/yellow/red with its reason, alerts with a sound until
// acknowledged, today's numbers, and the actions staff take. Everything is drawn from one JSON
// document (the page's first paint and every /staff/events message); each action is a POST with the
// session's CSRF token, answered with the new document. Japanese first; English on a switch.
"use strict";

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  let view = JSON.parse(document.getElementById("view").textContent);
  let lang = localStorage.getItem("staff-lang") === "en" ? "en" : "ja";
  const W = {
    title: ["スタッフ画面", "Staff page"], logout: ["ログアウト", "Log out"], kiosks: ["発券機", "Kiosks"],
    today: ["本日の手続", "Today's procedures"], procedure: ["手続", "Procedure"], issued: ["発券数", "Issued"],
    cap: ["上限", "Cap"], waiting: ["お待ちの方", "Waiting"], stats: ["統計", "Statistics"],
    csv: ["CSVをダウンロード", "Download CSV"], commands: ["プリンター操作", "Printer jobs"],
    audit: ["操作記録", "Audit log"], when: ["日時", "When"], who: ["担当", "Who"], what: ["操作", "What"],
    target: ["対象", "Target"], ack: ["確認しました", "Acknowledge"], out: ["休止にする", "Out of service"],
    back: ["再開する", "Back in service"], test: ["テスト印刷", "Test print"], reprint: ["再印刷", "Reprint"],
    roll: ["ロール交換済み", "New roll loaded"], close: ["本日受付終了", "Close today"],
    reopen: ["受付再開", "Reopen"], setcap: ["上限を変更", "Set cap"], paper: ["用紙", "Paper"],
    about: ["残り約{n}枚", "about {n} tickets left"], unknown: ["不明", "unknown"], none: ["なし", "none"],
    uptime: ["稼働", "Up"], version: ["版", "Version"], last_ticket: ["最終発券", "Last ticket"],
    disk: ["空き容量", "Disk free"], temp: ["温度", "SoC temp"], power: ["電源", "Power"],
    heard: ["最終応答", "Last heard"], ago: ["{n}秒前", "{n} s ago"], closed: ["終了", "closed"],
    online: ["接続中", "Live"], offline: ["接続が切れています", "Disconnected"], sound_on: ["🔔 音を出す", "🔔 Sound on"],
    oos: ["休止中", "Out of service"], green: ["正常", "OK"], yellow: ["注意", "Attention"], red: ["異常", "Fault"],
    nobody: ["お待ちの方はいません", "Nobody waiting"], done: ["完了", "done"], failed: ["失敗", "failed"],
    pending: ["待機中", "waiting"], label_hint: ["番号", "number"],
  };
  const PARTS = {
    process: ["本体", "Machine"], printer: ["プリンター", "Printer"], card_reader: ["カードリーダー", "Card reader"],
    queue_display: ["番号表示器", "Display"],
  };
  const ACTIONS = {
    ack: ["確認", "acknowledged"], out_of_service: ["休止", "out of service"], in_service: ["再開", "back in service"],
    test_print: ["テスト印刷", "test print"], reprint: ["再印刷", "reprint"], new_roll: ["ロール交換", "new roll"],
    close_procedure: ["受付終了", "closed"], reopen_procedure: ["受付再開", "reopened"], set_cap: ["上限変更", "cap changed"],
  };
  const w = (key, values) => {
    const text = (W[key] || [key, key])[lang === "en" ? 1 : 0];
    return values ? text.replace(/\{(\w+)\}/g, (_, k) => String(values[k])) : text;
  };
  const pick = (pair) => pair[lang === "en" ? 1 : 0];
  const said = (f) => (lang === "en" ? f.en : f.ja);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const child of children) if (child) node.appendChild(child);
    return node;
  }

  function time(at) {
    const d = typeof at === "number" ? new Date(at * 1000) : new Date(at);
    return d.toLocaleTimeString(lang === "en" ? "en-GB" : "ja-JP", { hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: view.timezone });
  }

  function facts(beat, isKiosk) {
    const sys = beat.system || {};
    const rows = [];
    if (isKiosk) {
      const paper = beat.paper_tickets_left === null || beat.paper_tickets_left === undefined
        ? w("unknown") : w("about", { n: beat.paper_tickets_left });
      rows.push([w("paper"), paper]);
    }
    rows.push([w("heard"), w("ago", { n: Math.max(0, Math.round(view.now - beat.beat_at)) })]);
    rows.push([w("uptime"), Math.round((beat.beat_at - beat.started_at) / 60) + (lang === "en" ? " min" : "分")]);
    if (isKiosk) rows.push([w("last_ticket"), beat.last_ticket_at ? time(beat.last_ticket_at) : w("none")]);
    rows.push([w("disk"), sys.disk_free_bytes == null ? w("unknown") : (sys.disk_free_bytes / 1e9).toFixed(1) + " GB"]);
    rows.push([w("temp"), sys.soc_temp_c == null ? w("unknown") : sys.soc_temp_c.toFixed(0) + " ℃"]);
    rows.push([w("power"), (sys.flags || ["unknown"]).length ? (sys.flags || []).join(", ").replace("unknown", w("unknown")) : "OK"]);
    rows.push([w("version"), beat.version]);
    const p = el("p", { class: "facts" });
    rows.forEach(([k, v], i) => {
      if (i) p.appendChild(document.createTextNode(" · "));
      p.appendChild(document.createTextNode(k + " "));
      p.appendChild(el("b", { text: String(v) }));
    });
    return p;
  }

  function card(proc, isKiosk) {
    const beat = proc.beat;
    const node = el("div", { class: "card", "data-kiosk": proc.id, "data-light": proc.light });
    node.appendChild(el("h3", {}, el("span", { class: "dot " + proc.light }), el("span", { text: proc.id }),
      el("span", { class: "state-word", text: w(proc.light) + (proc.out_of_service ? " · " + w("oos") : "") })));
    const list = el("ul", { class: "findings" });
    for (const f of proc.findings) {
      list.appendChild(el("li", { "data-part": f.part, "data-light": f.light },
        el("span", { class: "dot " + f.light }), el("span", { class: "part", text: pick(PARTS[f.part] || [f.part, f.part]) }),
        el("span", { class: "reason", text: said(f) })));
    }
    node.appendChild(list);
    node.appendChild(facts(beat, isKiosk));
    if (isKiosk) {
      const label = el("input", { placeholder: w("label_hint"), "aria-label": w("reprint"), "data-keep": "label-" + proc.id });
      const act = (action, extra) => () => post(action, Object.assign({ kiosk: proc.id }, extra ? extra() : {}));
      node.appendChild(el("div", { class: "actions" },
        proc.out_of_service
          ? el("button", { "data-action": "in_service", text: w("back"), onclick: act("in_service") })
          : el("button", { "data-action": "out_of_service", text: w("out"), onclick: act("out_of_service") }),
        el("button", { "data-action": "test_print", text: w("test"), onclick: act("test_print") }),
        el("button", { "data-action": "new_roll", text: w("roll"), onclick: act("new_roll") }),
        label,
        el("button", { "data-action": "reprint", text: w("reprint"), onclick: act("reprint", () => ({ label: label.value })) })));
    }
    return node;
  }

  // What staff are typing survives a redraw (a heartbeat arrives every few seconds).
  function kept() {
    const values = {};
    for (const input of document.querySelectorAll("input[data-keep]")) {
      if (input.dataset.typed) values[input.dataset.keep] = input.value;
    }
    const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.keep : null;
    return { values, focused };
  }

  function restore(state) {
    for (const input of document.querySelectorAll("input[data-keep]")) {
      input.addEventListener("input", () => { input.dataset.typed = "1"; });
      if (input.dataset.keep in state.values) {
        input.value = state.values[input.dataset.keep];
        input.dataset.typed = "1";
      }
      if (input.dataset.keep === state.focused) input.focus();
    }
  }

  function draw() {
    const typing = kept();
    document.documentElement.lang = lang;
    document.body.dataset.lang = lang;
    document.getElementById("lang").textContent = lang === "en" ? "日本語" : "English";
    for (const node of document.querySelectorAll("[data-w]")) node.textContent = w(node.dataset.w);

    const alerts = document.getElementById("alerts");
    alerts.replaceChildren();
    for (const a of view.alerts) {
      const row = el("div", { class: "alert" + (a.acked_at ? " acked" : ""), "data-alert": a.id, "data-source": a.source, "data-part": a.part },
        el("span", { class: "where", text: a.source + " " + pick(PARTS[a.part] || [a.part, a.part]) }),
        el("span", { class: "reason", text: lang === "en" ? a.en : a.ja }),
        el("span", { class: "since", text: time(a.raised_at) + (a.acked_by ? " ✓ " + a.acked_by : "") }));
      if (!a.acked_at) row.appendChild(el("button", { "data-action": "ack", text: w("ack"), onclick: () => post("ack", { alert: a.id }) }));
      alerts.appendChild(row);
    }
    document.body.dataset.sounding = view.sounding ? "true" : "false";

    document.getElementById("kiosks").replaceChildren(...view.kiosks.map((k) => card(k, true)));
    document.getElementById("services").replaceChildren(...view.services.map((s) => card(s, false)));

    const body = document.querySelector("#procedures tbody");
    body.replaceChildren();
    for (const p of view.today.procedures) {
      const cap = el("input", { value: p.cap === null ? "" : String(p.cap), inputmode: "numeric", "aria-label": w("cap"), "data-keep": "cap-" + p.id });
      body.appendChild(el("tr", { class: p.closed ? "closed" : "", "data-procedure": p.id },
        el("td", { text: (lang === "en" ? p.en : p.ja) + (p.closed ? " (" + w("closed") + ")" : "") }),
        el("td", { class: "issued", text: String(p.issued) }),
        el("td", {}, cap, el("button", { "data-action": "set_cap", text: w("setcap"), onclick: () => post("set_cap", { procedure: p.id, cap: cap.value }) })),
        el("td", {}, p.closed
          ? el("button", { "data-action": "reopen_procedure", text: w("reopen"), onclick: () => post("reopen_procedure", { procedure: p.id }) })
          : el("button", { "data-action": "close_procedure", text: w("close"), onclick: () => post("close_procedure", { procedure: p.id }) }))));
    }

    const waiting = document.getElementById("waiting");
    waiting.replaceChildren();
    const groups = view.today.waiting.filter((g) => g.labels.length);
    if (!groups.length) waiting.appendChild(el("p", { text: w("nobody") }));
    for (const g of groups) {
      waiting.appendChild(el("p", { class: "group" }, el("b", { text: g.prefix + " (" + g.labels.length + ")" }),
        document.createTextNode(" " + g.labels.join("  "))));
    }

    document.getElementById("commands").replaceChildren(...view.commands.map((c) => {
      const result = c.result ? [...(c.result.out || []), ...(c.result.err || [])].join(" / ") : "";
      return el("li", { class: c.state, "data-command": c.id },
        document.createTextNode(time(c.asked_at) + " " + c.kiosk_id + " " + pick(ACTIONS[{ print_test: "test_print" }[c.command] || c.command] || [c.command, c.command]) +
          " (" + c.asked_by + ") — " + w(c.state) + (result ? ": " + result : "")));
    }));

    const audit = document.querySelector("#audit tbody");
    audit.replaceChildren(...view.audit.map((e) => el("tr", { "data-audit": e.id, "data-action": e.action },
      el("td", { text: new Date(e.at).toLocaleString(lang === "en" ? "en-GB" : "ja-JP", { timeZone: view.timezone }) }),
      el("td", { text: e.who }),
      el("td", { text: pick(ACTIONS[e.action] || [e.action, e.action]) }),
      el("td", { text: e.target + (e.detail ? " " + e.detail : "") }))));
    restore(typing);
  }

  function say(text, bad) {
    const message = document.getElementById("message");
    message.textContent = text;
    message.classList.toggle("bad", !!bad);
  }

  async function post(action, fields) {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) body.append(k, String(v));
    try {
      const response = await fetch("/staff/action/" + action, {
        method: "POST", headers: { "X-CSRF-Token": csrf }, credentials: "same-origin", body,
      });
      const answer = await response.json().catch(() => ({}));
      if (response.status === 401) { location.href = "/login?next=/staff"; return; }
      if (!response.ok) { say(answer.error || "エラー " + response.status, true); return; }
      view = answer.view;
      for (const input of document.querySelectorAll("input[data-keep]")) delete input.dataset.typed;
      say(pick(ACTIONS[action] || [action, action]) + " ✓");
      draw();
    } catch (err) {
      say(String(err), true);
    }
  }

  // The alarm: a short two-tone beep every 1.5 s while an alert is unacknowledged. Chromium may
  // hold sound until the page was touched: then a "sound on" button shows.
  let audio = null;
  function beep() {
    if (!view.sounding) return;
    try {
      audio = audio || new AudioContext();
      if (audio.state === "suspended") {
        audio.resume();
        document.getElementById("sound").hidden = false;
      }
      for (const [freq, at] of [[880, 0], [660, 0.18]]) {
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        osc.frequency.value = freq;
        gain.gain.value = 0.2;
        osc.connect(gain).connect(audio.destination);
        osc.start(audio.currentTime + at);
        osc.stop(audio.currentTime + at + 0.15);
      }
      window.staffBeeps = (window.staffBeeps || 0) + 1;
    } catch (err) {
      // no audio device: the red banner still shows
    }
  }
  setInterval(beep, 1500);
  document.getElementById("sound").addEventListener("click", () => {
    if (audio) audio.resume();
    document.getElementById("sound").hidden = true;
  });

  document.getElementById("lang").addEventListener("click", () => {
    lang = lang === "en" ? "ja" : "en";
    localStorage.setItem("staff-lang", lang);
    draw();
  });

  // The stream: EventSource reconnects by itself, except after an HTTP error (then we reopen).
  let source = null;
  let lastByte = Date.now();
  function online(yes) {
    document.body.classList.toggle("offline", !yes);
    document.body.classList.remove("connecting");
    document.getElementById("link").textContent = w(yes ? "online" : "offline");
  }
  function open() {
    if (source) source.close();
    source = new EventSource("/staff/events");
    lastByte = Date.now();
    source.addEventListener("staff", (event) => {
      lastByte = Date.now();
      try { view = JSON.parse(event.data); } catch (err) { return; }
      online(true);
      draw();
    });
    source.addEventListener("ping", () => { lastByte = Date.now(); });
    source.onerror = () => {
      online(false);
      if (source.readyState === EventSource.CLOSED) setTimeout(open, 2000);
    };
  }
  setInterval(() => {
    if (Date.now() - lastByte > 20000) { online(false); open(); }
  }, 1000);
  setInterval(() => {
    // the chart and the CSV follow the day's tickets: refresh the chart once a minute
    document.getElementById("chart").src = "/staff/chart.svg?t=" + Date.now();
  }, 60000);
  draw();
  window.staffDrawnAt = performance.now(); // the first draw, on the page's clock (kiosk/bench/health.py)
  open();
})();
