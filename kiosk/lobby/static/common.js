// The lobby stream, shared by the lobby screen and the counter consoles.
//
// followLobby(onState, onOnline): every message of /events is the whole lobby state; onState gets
// each one. onOnline(false) is called as soon as the stream breaks (EventSource "error"), and when
// no byte came for 20 s (the server pings every 15 s); onOnline(true) only once a full state came
// again. EventSource reconnects by itself after a network error, but not after an HTTP error
// status or a wrong content type (readyState CLOSED): then we open a new one ourselves.
"use strict";

function followLobby(onState, onOnline) {
  const SILENT_MS = 20000;
  const REOPEN_MS = 2000;
  let source = null;
  let lastByte = Date.now();
  let online = null; // unknown until the stream first answers or fails

  function setOnline(value) {
    if (value !== online) {
      online = value;
      onOnline(value);
    }
  }

  function open() {
    if (source) source.close();
    source = new EventSource("/events");
    lastByte = Date.now();
    source.addEventListener("state", (event) => {
      lastByte = Date.now();
      let state;
      try {
        state = JSON.parse(event.data);
      } catch (err) {
        return;
      }
      onState(state);
      setOnline(true);
    });
    source.addEventListener("ping", () => { lastByte = Date.now(); });
    source.onopen = () => { lastByte = Date.now(); };
    source.onerror = () => {
      setOnline(false);
      if (source.readyState === EventSource.CLOSED) setTimeout(open, REOPEN_MS);
    };
  }

  // A stream that stays silent past the server's ping (a half-open connection) is reopened.
  setInterval(() => {
    if (source && source.readyState !== EventSource.OPEN) setOnline(false);
    if (Date.now() - lastByte > SILENT_MS) {
      setOnline(false);
      open();
    }
  }, 1000);
  open();
}

function readJson(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
