// The lobby screen: draws the whole lobby state each time one arrives (never a delta), so what it
// shows after a drop or a restart is exactly what a fresh screen shows.
//
// URL options: ?lang=en shows one language only (default: every site language in turn, ja first);
// ?rotate=8 the seconds each language stays (default 8); ?chime=0 keeps it silent (no chime, no voice).
// Each call is said aloud when the service's [voice] plays on the screen (static/voice.js);
// ?voice_rate=4 plays the announcements 4 times as fast (tests and demos only).
"use strict";

(function () {
  const BLINK_MS = 6000;
  const RECENT = 6;
  const words = readJson("words");
  const params = new URLSearchParams(location.search);
  const pinned = params.get("lang");
  const languages = pinned && words.languages.includes(pinned) ? [pinned] : words.languages;
  const chimeOn = params.get("chime") !== "0";
  const voiceOn = chimeOn && Boolean(words.voice && words.voice.screen);
  const voiceRate = Math.min(16, Math.max(0.5, parseFloat(params.get("voice_rate") || "1") || 1));
  const voice = makeVoice(voiceOn ? words.voice : { screen: false, volume: 1 }, chime, voiceRate);
  const STALE_CALL_MS = 120000; // a call seen only after a long drop is no longer said aloud
  const rotateMs = Math.max(0.2, parseFloat(params.get("rotate") || "8") || 8) * 1000;
  let lang = languages[0];
  let state = readJson("state");
  // The page arrives with a fresh state inside it: shown at once, offline only once the stream fails.
  let online = true;
  let settled = false; // the stream has answered (a state) or failed: body.connecting goes
  let blinkSeen = null; // event id of the newest call already announced; null until the first state
  let blinkUntil = 0;
  let audio = null;

  function word(key, values) {
    const entry = words.words[key] || {};
    return fill(entry[lang] || entry[words.languages[0]] || key, values || {});
  }

  function local(texts) {
    return texts ? texts[lang] || texts[words.languages[0]] || "" : "";
  }

  function counterText(counterId) {
    const counter = words.counters[counterId];
    return word("lobby.counter", { number: counter ? counter.number : counterId });
  }

  function draw() {
    document.documentElement.lang = lang;
    document.body.classList.toggle("offline", !online);
    document.body.classList.toggle("connecting", !settled);
    const banner = document.getElementById("offline");
    banner.hidden = online;
    banner.textContent = word("lobby.offline");
    document.getElementById("site").textContent = local(words.site);
    document.getElementById("latest-title").textContent = word("lobby.now_calling");
    document.getElementById("recent-title").textContent = word("lobby.recent");
    document.getElementById("waiting-title").textContent = word("lobby.waiting");

    const calls = state.recent_calls || [];
    const latest = calls[0];
    const latestLabel = document.getElementById("latest-label");
    const latestWhere = document.getElementById("latest-where");
    if (latest) {
      latestLabel.textContent = latest.label;
      latestLabel.dataset.eventId = String(latest.event_id);
      latestWhere.textContent = word("lobby.please_go", { counter: counterText(latest.counter) });
    } else {
      latestLabel.textContent = "";
      delete latestLabel.dataset.eventId;
      latestWhere.textContent = word("lobby.none_yet");
    }
    document.getElementById("latest").classList.toggle("blink", Date.now() < blinkUntil);

    // Open counters with a number called get a large tile; open counters with none a small chip
    // (no number to read from afar); closed counters are not shown.
    const counters = document.getElementById("counters");
    const idle = document.getElementById("idle-counters");
    counters.replaceChildren();
    idle.replaceChildren();
    for (const counter of state.counters) {
      if (!counter.open) continue;
      if (counter.calling) {
        const tile = el("div", "counter");
        tile.dataset.counter = counter.id;
        tile.appendChild(el("div", "counter-name", counterText(counter.id)));
        tile.appendChild(el("div", "label counter-label", counter.calling));
        counters.appendChild(tile);
      } else {
        const chip = el("span", "idle-counter", counterText(counter.id));
        chip.dataset.counter = counter.id;
        idle.appendChild(chip);
      }
    }

    const recent = document.getElementById("recent-list");
    recent.replaceChildren();
    for (const call of calls.slice(1, 1 + RECENT)) {
      const item = el("li");
      item.appendChild(el("span", "label", call.label));
      item.appendChild(el("span", "where", counterText(call.counter)));
      recent.appendChild(item);
    }

    const waiting = document.getElementById("waiting-list");
    waiting.replaceChildren();
    for (const [groupId, count] of Object.entries(state.waiting)) {
      const group = words.groups[groupId];
      if (!group) continue;
      const item = el("li");
      item.dataset.group = groupId;
      item.appendChild(el("span", "prefix", group.prefix));
      const separator = ["ja", "ja-easy", "zh-Hans"].includes(lang) ? "・" : ", ";
      const name = group.name ? local(group.name) : word("lobby.counters", { numbers: group.counters.join(separator) });
      item.appendChild(el("span", "group-name", name));
      item.appendChild(el("span", "count", word("lobby.people", { count: count })));
      waiting.appendChild(item);
    }
    fit();
  }

  // Every called number must be on screen: when the tiles overflow their area, the recent calls
  // give up their room (body.dense), and come back once there is room again.
  function fit() {
    const area = document.getElementById("counters-area");
    document.body.classList.remove("dense");
    if (area.scrollHeight > area.clientHeight + 1) document.body.classList.add("dense");
  }

  function chime() {
    if (!chimeOn) return;
    try {
      audio = audio || new AudioContext();
      const now = audio.currentTime;
      [[880, 0], [660, 0.35]].forEach(([freq, at]) => {
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, now + at);
        gain.gain.exponentialRampToValueAtTime(0.4, now + at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, now + at + 0.6);
        osc.connect(gain).connect(audio.destination);
        osc.start(now + at);
        osc.stop(now + at + 0.65);
      });
    } catch (err) {
      // No sound device, or autoplay refused: the blink still shows the call.
    }
  }

  // Every call newer than the last one announced, oldest first (two calls may arrive in one state).
  // Without the voice, one chime for them all.
  function announce(after) {
    if (!voiceOn) {
      chime();
      return;
    }
    const now = Date.now() + clockOffset;
    (state.recent_calls || [])
      .filter((call) => call.event_id > after && now - Date.parse(call.at) < STALE_CALL_MS)
      .sort((a, b) => a.event_id - b.event_id)
      .forEach((call) => voice.announce(call.event_id));
  }

  function onState(next) {
    state = next;
    settled = true;
    const latest = (state.recent_calls || [])[0];
    const latestId = latest ? latest.event_id : 0;
    // The first state of this page only sets the mark: a screen switched on does not chime.
    if (blinkSeen !== null && latestId > blinkSeen) {
      blinkUntil = Date.now() + BLINK_MS;
      announce(blinkSeen);
      setTimeout(draw, BLINK_MS + 50);
    }
    blinkSeen = Math.max(blinkSeen || 0, latestId);
    draw();
  }

  function onOnline(value) {
    online = value;
    settled = true;
    draw();
  }

  // The service's clock (it may run from --at), in the site's zone, not the TV's.
  const clockOffset = words.now_ms - Date.now();
  const clockFormat = new Intl.DateTimeFormat("ja-JP", {
    timeZone: words.timezone, hour: "2-digit", minute: "2-digit", hour12: false,
  });

  function tickClock() {
    document.getElementById("clock").textContent = clockFormat.format(new Date(Date.now() + clockOffset));
  }

  blinkSeen = (() => {
    const latest = (state.recent_calls || [])[0];
    return latest ? latest.event_id : 0;
  })();
  draw();
  window.addEventListener("resize", draw);
  tickClock();
  setInterval(tickClock, 10000);
  if (languages.length > 1) {
    let index = 0;
    setInterval(() => {
      index = (index + 1) % languages.length;
      lang = languages[index];
      draw();
    }, rotateMs);
  }
  followLobby(onState, onOnline);
})();
