// The console of one counter: buttons and keyboard shortcuts that POST the same commands as
// `kiosk call …`, and the counter's ticket and waiting list drawn from the lobby stream.
// Every POST carries the session's CSRF token (from the page) in the X-CSRF-Token header.
"use strict";

(function () {
  const counterId = document.body.dataset.counter;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const words = readJson("words");
  let state = readJson("state");
  let busy = false;
  const KEYS = { n: "call-next", r: "recall", s: "start", d: "done", x: "no-show", t: "transfer" };

  function me() {
    return state.counters.find((c) => c.id === counterId) || { open: false, calling: null, groups: [] };
  }

  function draw() {
    const counter = me();
    document.getElementById("current").textContent = counter.calling || "—";
    document.getElementById("current-state").textContent = counter.calling
      ? counter.state === "serving" ? "受付中 Serving" : "呼出中 Called"
      : counter.open ? "" : "休止中 Closed";
    document.getElementById("no-paper").hidden = !counter.no_paper;
    document.getElementById("close").hidden = !counter.open;
    document.getElementById("open").hidden = counter.open;
    document.body.classList.toggle("closed", !counter.open);

    const select = document.getElementById("transfer-to");
    if (!select.options.length) {
      for (const [groupId, group] of Object.entries(words.groups)) {
        if (counter.groups.includes(groupId)) continue;
        const name = group.name ? group.name.ja : "窓口 " + group.counters.join("・");
        select.appendChild(new Option(group.prefix + "  " + name, groupId));
      }
    }

    const list = document.getElementById("waiting");
    list.replaceChildren();
    let count = 0;
    for (const groupId of counter.groups) {
      for (const ticket of (state.waiting_list || {})[groupId] || []) {
        const item = el("li", "", "");
        item.appendChild(el("span", "label", ticket.label));
        if (ticket.no_paper) item.appendChild(el("span", "no-paper", "⚠ 整理券なし no paper"));
        if (ticket.transferred) item.appendChild(el("span", "transferred", "↪ 転送 transferred"));
        list.appendChild(item);
        count += 1;
      }
    }
    document.getElementById("waiting-count").textContent = "(" + count + ")";
  }

  function say(text, bad) {
    const message = document.getElementById("message");
    message.textContent = text;
    message.classList.toggle("bad", !!bad);
  }

  async function act(action) {
    if (busy) return;
    busy = true;
    let url = "/counter/" + encodeURIComponent(counterId) + "/" + action;
    if (action === "transfer") url += "?to=" + encodeURIComponent(document.getElementById("transfer-to").value);
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "X-CSRF-Token": csrf },
        credentials: "same-origin",
      });
      const body = await response.json().catch(() => ({}));
      if (body.state) {
        state = body.state;
        draw();
      }
      if (response.status === 401) {
        location.href = "/login?next=" + encodeURIComponent(location.pathname);
      } else if (!response.ok) {
        say(body.error || "エラー " + response.status, true);
      } else if (action === "call-next" && body.outcome === null) {
        say("お待ちの方はいません。 Nobody is waiting.");
      } else if (body.outcome && body.outcome.label) {
        say(body.outcome.label + (body.outcome.repeated ? "（同じ呼出 same call）" : ""));
      } else {
        say("");
      }
    } catch (err) {
      say("サービスに接続できません。 Cannot reach the lobby service.", true);
    } finally {
      busy = false;
    }
  }

  for (const button of document.querySelectorAll("button[data-action]")) {
    button.addEventListener("click", () => act(button.dataset.action));
  }
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    if (event.target instanceof HTMLSelectElement || event.target instanceof HTMLInputElement) return;
    const key = event.key.toLowerCase();
    if (key === "c") {
      act(me().open ? "close" : "open");
    } else if (KEYS[key]) {
      act(KEYS[key]);
    } else {
      return;
    }
    event.preventDefault();
  });

  draw();
  followLobby(
    (next) => {
      state = next;
      draw();
    },
    (online) => {
      document.body.classList.toggle("offline", !online);
      document.body.classList.remove("connecting");
      document.getElementById("link").textContent = online ? "● 接続中 online" : "● 切断 offline";
    }
  );
})();
