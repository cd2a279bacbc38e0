// The lobby's voice on the screen: each call's announcement (/voice/<event id>.wav: chime, Japanese,
// the visitor's language, and Japanese again for a recall) played one at a time, in call order.
// A call made while one plays waits its turn; nothing is ever cut off. Each file is fetched as soon
// as its call is seen, so the next one is ready when the current one ends.
//
// makeVoice(settings, chime, rate): settings = {screen: bool, volume: 0..1} from the service; chime() is
// the page's own chime, played instead when the service has nothing to say (204: voice off, quiet
// hours) or the file cannot be played; rate speeds playback up (tests). window.voiceLog records what happened (tests, the bench).
"use strict";

function makeVoice(settings, chime, rate) {
  const CHIME_MS = 1200;
  const queue = [];
  let busy = false;
  const log = [];
  window.voiceLog = log;

  function stamp(id, what, extra) {
    log.push(Object.assign({ id: id, what: what, at: performance.timeOrigin + performance.now() }, extra || {}));
  }

  function fetchAnnouncement(id) {
    return fetch("/voice/" + id + ".wav").then((response) => {
      if (response.status !== 200) return null;
      return response.blob();
    }).catch(() => null);
  }

  function announce(id) {
    if (!settings.screen) {
      chime();
      return;
    }
    stamp(id, "queued");
    queue.push({ id: id, sound: fetchAnnouncement(id) });
    if (!busy) next();
  }

  function chimeInstead(item) {
    stamp(item.id, "chime");
    chime();
    setTimeout(next, CHIME_MS);
  }

  async function next() {
    const item = queue.shift();
    if (!item) {
      busy = false;
      return;
    }
    busy = true;
    const blob = await item.sound;
    if (!blob) {
      chimeInstead(item);
      return;
    }
    const url = URL.createObjectURL(blob);
    const audio = new Audio(url);
    audio.volume = settings.volume;
    audio.playbackRate = rate || 1;
    let finished = false;
    const finish = (what) => {
      if (finished) return;
      finished = true;
      stamp(item.id, what, { duration: audio.duration, played: audio.currentTime });
      URL.revokeObjectURL(url);
      next();
    };
    audio.addEventListener("playing", () => stamp(item.id, "playing"), { once: true });
    audio.addEventListener("ended", () => finish("ended"));
    audio.addEventListener("error", () => finish("error"));
    audio.play().catch(() => finish("refused")); // autoplay refused: the TV lacks the flag (README)
  }

  return { announce: announce };
}
