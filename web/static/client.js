// The link to the control-room server, shared by every screen.
//
// - connects to /ws, says hello with its role and channels (and the operator token for the régie);
// - reconnects by itself after growing, jittered delays (about 1 s up to 30 s) and takes the full
//   snapshot the server sends on every connect, so nothing is lost by a dropped link;
// - takes the state by reference (`state=ref`): a `live` snapshot, then `delta` patches of
//   only what changed, joined with the schedule (fetched once per version, schedule.js) into
//   the full state document (live-state.js), emitted as "state" as the pages always had it;
// - estimates the server's clock from ping/pong, keeping the samples with the lowest round trip,
//   and resyncs periodically, after a reconnect and when the tab becomes visible again;
// - follows the clock model (rehearsal origin and speed), so showNow() is the server's show
//   time even when this machine's clock is minutes off or the day runs at 10×;
// - calls the screens' draw functions every animation frame: countdowns are computed from
//   absolute instants ("ends_at") and showNow(), the server pushes only on change.

import { t } from "./i18n.js";
import { ms, setText } from "./format.js";
import { ServerClock } from "./clock.js";
import { applyPatch, indexSchedule, joinState } from "./live-state.js";
import { loadSchedule } from "./schedule.js";

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30000;
const PING_EVERY_MS = 5000; // a clock sample, and proof that the link is alive
const RESYNC_BURST = 5; // samples taken at once after connect / when the tab is visible again
const BURST_GAP_MS = 120;
const DEAD_AFTER_MS = 12000; // nothing at all received for this long: the link is dead
const REQUEST_TIMEOUT_MS = 8000; // a command or switcher request without an answer by then

/** The websocket link of one screen. */
export class Link {
  constructor({ role, channels = null, token = null, name = null, lang = null, path = "/ws" }) {
    this.role = role;
    this.name = name;
    this.channels = channels;
    this.token = token;
    this.lang = lang;
    // The initial subscription rides on the URL, so the first snapshot is already the right
    // one; the hello (with the token, never put in a URL) confirms it.
    const query = new URLSearchParams({ role, state: "ref" });
    if (channels) query.set("channels", channels.join(","));
    this.url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}?${query}`;
    this.clock = new ServerClock();
    this.status = "connecting"; // connecting | open | closed
    this.ws = null;
    this.attempt = 0;
    this.retryTimer = null;
    this.retryAt = null;
    this.lastMessageAt = 0;
    this.lastPingAt = 0;
    this.nextId = 1;
    this.pending = new Map(); // request id -> {resolve, reject, timer}
    this.pings = new Map(); // ping id -> t0
    this.handlers = new Map();
    this.state = null;
    this.stateSeq = null;
    this.welcome = null;
    this.snapshots = 0; // full snapshots received (one per connect at least)
    this.connects = 0;
    this.live = null; // the live document: {seq, version, instants, at, channels}
    this.liveMessage = null; // the last live or delta message, for the state emitted
    this.plan = null; // the schedule the state is joined with (GET /api/schedule)
    this.planKey = null; // its key: `${boot}:${schedule_version}`
    this.planIndex = null;
    this.planWaiting = null; // the key of the schedule being fetched
    this.early = null; // the schedule fetched at page load, before the first snapshot
    this.deltas = 0; // delta messages applied (tests)
    this.gaps = 0; // deltas that did not follow the live document held: resnapshot
  }

  /** Call fn(payload, message) on every message of this type ("state", "journal", …, "status"). */
  on(type, fn) {
    if (!this.handlers.has(type)) this.handlers.set(type, []);
    this.handlers.get(type).push(fn);
    return this;
  }

  emit(type, ...args) {
    for (const fn of this.handlers.get(type) ?? []) {
      try {
        fn(...args);
      } catch (err) {
        console.error(err);
      }
    }
  }

  start() {
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState !== "visible") return;
      if (this.ws === null) this.reconnectNow();
      else this.resync();
    });
    window.addEventListener("offline", () => this.lost("offline"));
    // The network is back: reconnect only if the link is down (a healthy link is kept, and
    // with it the answers to the commands in flight).
    window.addEventListener("online", () => {
      if (this.ws === null) this.reconnectNow();
    });
    // A page may close with 1000 or 3000-4999 only (1001 "going away" is the browser's own).
    window.addEventListener("pagehide", () => this.ws?.close(1000, "page hidden"));
    setInterval(() => this.tick(), 500);
    // The schedule is fetched beside the first connection, not after its snapshot: the
    // first state is drawn one round trip sooner (taken if it is the version on air).
    this.early = loadSchedule("page load");
    this.open();
    return this;
  }

  setStatus(status) {
    this.status = status;
    document.documentElement.dataset.link = status;
    this.emit("status", status);
  }

  open() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.retryAt = null;
    this.setStatus("connecting");
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (err) {
      this.lost(String(err));
      return;
    }
    this.ws = ws;
    this.lastMessageAt = performance.now();
    ws.onopen = () => {
      if (ws !== this.ws) return;
      this.connects += 1;
      this.live = null;
      const hello = { type: "hello", role: this.role, channels: this.channels, state: "ref" };
      if (this.token) hello.token = this.token;
      if (this.lang) hello.lang = this.lang;
      if (this.name) hello.name = this.name;
      ws.send(JSON.stringify(hello));
      this.clock.forgetSamples();
      this.resync();
    };
    ws.onmessage = (event) => {
      if (ws === this.ws) this.receive(event.data);
    };
    ws.onclose = (event) => {
      if (ws === this.ws) this.lost(`closed (${event.code})`);
    };
    ws.onerror = () => {}; // a close event always follows
  }

  /** The link is gone: show it at once, fail what was pending, and plan the next attempt. */
  lost(reason) {
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close();
      } catch {
        // already closed
      }
    }
    this.failPending();
    this.pings.clear();
    if (this.retryTimer === null) {
      const base = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** this.attempt);
      const delay = Math.min(RETRY_MAX_MS, base * (0.8 + 0.4 * Math.random()));
      this.attempt += 1;
      this.retryAt = performance.now() + delay;
      this.retryTimer = setTimeout(() => this.open(), delay);
    }
    this.lostReason = reason;
    this.setStatus("closed");
  }

  /**
   * The requests in flight lose their answer with the link. The server may have applied them
   * (a command is journaled before it is answered): say so, never "failed", so that nobody
   * sends one twice without looking at the journal.
   */
  failPending() {
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error(t("outcome_unknown")));
    }
    this.pending.clear();
  }

  /** Try again now (a click on the indicator, the tab visible again, the network back). */
  reconnectNow() {
    this.attempt = 0;
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      ws.close();
    }
    this.failPending();
    this.open();
  }

  /** Change the operator token: reconnect so that the hello carries it. */
  setToken(token) {
    this.token = token || null;
    this.reconnectNow();
  }

  /** Seconds before the next attempt, while closed. */
  retryInSeconds() {
    if (this.retryAt === null) return null;
    return Math.max(0, Math.ceil((this.retryAt - performance.now()) / 1000));
  }

  tick() {
    if (!this.ws) return;
    const now = performance.now();
    if (now - this.lastMessageAt > DEAD_AFTER_MS) {
      this.lost("timeout");
      return;
    }
    if (this.ws.readyState === WebSocket.OPEN && now - this.lastPingAt >= PING_EVERY_MS) this.ping();
  }

  ping() {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    const id = this.nextId++;
    const t0 = Date.now();
    this.pings.set(id, t0);
    if (this.pings.size > 32) this.pings.delete(this.pings.keys().next().value);
    this.lastPingAt = performance.now();
    this.ws.send(JSON.stringify({ type: "ping", id, t0 }));
  }

  /** A burst of clock samples. */
  resync() {
    for (let i = 0; i < RESYNC_BURST; i++) setTimeout(() => this.ping(), i * BURST_GAP_MS);
  }

  send(message) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  /**
   * Send a request (a message given an `id`) and wait for its answer: resolves with the
   * server's `result` ({ok, error?, seq?}), or with its `error` reply as {ok: false, error}.
   * Rejects at once without a link ("no_link"); rejects with "outcome_unknown" when the link
   * drops or no answer comes within `timeoutMs`: the server may have acted on it.
   */
  request(message, { timeoutMs = REQUEST_TIMEOUT_MS } = {}) {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      if (!this.send({ ...message, id })) {
        reject(new Error(t("no_link")));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(t("outcome_unknown")));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
  }

  /** Send an operator command; resolves with the server's answer ({ok, error?}). */
  command(command) {
    return this.request({ type: "command", command });
  }

  /** Ask the channel's video switcher to act ("resend", "manual", "auto"); as command(). */
  switcher(channel, action) {
    return this.request({ type: "switcher", channel, action });
  }

  /** A moderator acknowledges a régie message. */
  ack(channel, messageId, name = null) {
    const message = { type: "ack", channel, message_id: messageId };
    if (name) message.name = name;
    return this.send(message);
  }

  /** Settle the request a reply answers, if any; true when it answered one. */
  answer(msg, value) {
    const p = msg.id !== undefined ? this.pending.get(msg.id) : undefined;
    if (!p) return false;
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    p.resolve(value);
    return true;
  }

  receive(data) {
    const localNow = Date.now();
    this.lastMessageAt = performance.now();
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      console.warn("control-room: unreadable message");
      return;
    }
    if (!msg || typeof msg !== "object") return;
    if (msg.server_time !== undefined) this.clock.observeServerTime(ms(msg.server_time), localNow);
    if (msg.clock) this.clock.setModel(msg.clock);
    if (this.status !== "open") this.setStatus("open");
    switch (msg.type) {
      case "welcome":
        this.welcome = msg;
        this.emit("welcome", msg);
        break;
      case "live":
        this.live = {
          seq: msg.seq,
          version: msg.schedule_version,
          instants: msg.instants,
          at: msg.at,
          channels: msg.channels ?? {},
        };
        this.snapshots += 1;
        this.attempt = 0;
        this.joined(msg);
        break;
      case "delta":
        this.applyDelta(msg);
        break;
      case "state":
        if (msg.state) {
          this.state = msg.state;
          this.stateSeq = msg.seq ?? null;
          this.snapshots += 1;
          this.attempt = 0;
          this.emit("state", msg.state, msg);
        }
        break;
      case "pong": {
        const t0 = this.pings.get(msg.id) ?? msg.t0;
        this.pings.delete(msg.id);
        this.clock.addSample(Number(t0), ms(msg.t1), ms(msg.t2), localNow);
        this.emit("pong", msg);
        break;
      }
      case "result":
        this.answer(msg, msg);
        this.emit("result", msg);
        break;
      case "error": {
        // An error with the id of a request answers it (the requester reports it).
        const answered = this.answer(msg, { ...msg, ok: false });
        this.emit("error", msg, { answered });
        break;
      }
      default:
        this.emit(msg.type, msg);
    }
  }

  /** The state of the live document in the shape the pages read, once the schedule is in. */
  joined(msg) {
    this.liveMessage = msg;
    const key = `${this.welcome?.boot ?? ""}:${this.live.version}`;
    if (this.planKey === key) {
      this.emitJoined();
      return;
    }
    if (this.planWaiting === key) return; // the state is emitted when it is in
    this.planWaiting = key;
    const version = this.live.version;
    const early = this.early;
    this.early = null;
    const wanted = early
      ? early.then(
          (schedule) => (schedule.version === version ? schedule : loadSchedule(key)),
          () => loadSchedule(key),
        )
      : loadSchedule(key);
    wanted.then(
      (schedule) => {
        if (this.planWaiting === key) this.planWaiting = null;
        if (!this.live || this.live.version !== version) return; // another version since
        if (schedule.version !== undefined && schedule.version !== version) return; // a newer one is coming
        this.plan = schedule;
        this.planKey = key;
        this.planIndex = indexSchedule(schedule);
        this.emit("plan", schedule);
        this.emitJoined();
      },
      (err) => {
        if (this.planWaiting === key) this.planWaiting = null;
        console.warn("control-room: no schedule", err);
      },
    );
  }

  /** Apply a delta to the live document; a delta that does not follow it asks for a snapshot. */
  applyDelta(msg) {
    const live = this.live;
    if (live && msg.seq <= live.seq) return; // already in the snapshot
    if (!live || msg.base > live.seq) {
      this.gaps += 1;
      this.reconnectNow(); // the snapshot of the new connection is whole
      return;
    }
    for (const [id, patch] of Object.entries(msg.channels ?? {})) {
      live.channels[id] = applyPatch(live.channels[id], patch);
    }
    live.seq = msg.seq;
    live.at = msg.at ?? live.at;
    this.deltas += 1;
    this.joined(msg);
  }

  emitJoined() {
    const live = this.live;
    const msg = this.liveMessage;
    const state = joinState(this.planIndex, live);
    this.state = state;
    this.stateSeq = live.seq;
    const envelope = {
      type: "state",
      seq: live.seq,
      cause: msg?.cause ?? { kind: "snapshot" },
      schedule_version: live.version,
      server_time: msg?.server_time,
      state,
    };
    this.emit("state", state, envelope);
  }
}

/** Start the link of a screen; also reachable from tests as window.controlRoom.link. */
export function connect(options) {
  const link = new Link(options);
  window.controlRoom = Object.assign(window.controlRoom ?? {}, { link });
  return link.start();
}

// ------------------------------------------------------------------------ animation frames

const frameFns = new Set();
let framesRunning = false;

function frame() {
  for (const fn of frameFns) {
    try {
      fn();
    } catch (err) {
      console.error(err);
    }
  }
  requestAnimationFrame(frame);
}

/** Call fn() on every animation frame (draw countdowns from showNow(); cheap when unchanged). */
export function everyFrame(fn) {
  frameFns.add(fn);
  if (!framesRunning) {
    framesRunning = true;
    requestAnimationFrame(frame);
  }
}

// ------------------------------------------------------------------------ shared widgets

/** A connection indicator: green when live, red at once when the link drops; click to retry. */
export function connectionIndicator(link, node) {
  if (!node) return;
  node.setAttribute("role", "status");
  node.addEventListener("click", () => {
    if (link.status !== "open") link.reconnectNow();
  });
  const label = node.querySelector(".conn-label") ?? node;
  const draw = () => {
    node.dataset.status = link.status;
    if (link.status === "open") setText(label, t("connected"));
    else if (link.status === "connecting") setText(label, t("connecting"));
    else {
      const s = link.retryInSeconds();
      setText(label, s === null ? t("disconnected") : t("retry_in", { s }));
    }
    node.title = link.status === "open" && link.clock.rttMs !== null ? `RTT ${Math.round(link.clock.rttMs)} ms` : "";
  };
  link.on("status", draw);
  setInterval(draw, 500);
  draw();
}

/** A badge saying whether the show clock is a rehearsal (and at which speed). */
export function clockBadge(link, node) {
  if (!node) return;
  const draw = () => {
    const c = link.clock;
    node.hidden = !c.rehearsal;
    if (!c.rehearsal) return;
    const speed = c.speed;
    const text = speed === 1 ? t("rehearsal_1") : t("rehearsal", { speed: Number(speed.toFixed(2)) });
    setText(node, text);
  };
  link.on("state", draw);
  link.on("welcome", draw);
  draw();
}
