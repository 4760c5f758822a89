// The moderator's timer of one channel (/timer/{channel}).
//
// The countdown is drawn every animation frame from the absolute end ("ends_at") of what it
// counts (the item on air, else the segment; in a break, "resumes_at")
// and the estimated server show time, so it is right when this machine's clock is off and
// runs at 10× during a 10× rehearsal. Query: ?name=Élodie labels this screen's acknowledgements.
// The régie can make the screen flash (state timer.flash_until: until then) and black it out
// (timer.blackout: nothing readable until released); both are attributes of #timer, drawn by
// timer.css (a steady frame instead of the flashing for prefers-reduced-motion).
// Acknowledging needs a moderator link: the screen logged in with a moderator token (/login, or
// a /timer/{channel}?token=… link that the server exchanges for a session cookie).

import { applyI18n, t } from "./i18n.js";
import { clockBadge, connect, connectionIndicator, everyFrame } from "./client.js";
import { clockDuration, hhmm, hhmmss, ms, peopleLine, setClass, setData, setText } from "./format.js";
import { isBreak, phase, secondsToEnd, segmentPhase } from "./phase.js";

applyI18n();

const params = new URLSearchParams(location.search);
const channelId = document.body.dataset.channel;
const moderatorName = (params.get("name") ?? "").slice(0, 80) || null;
const $ = (id) => document.getElementById(id);
const root = $("timer");

const link = connect({ role: "timer", channels: [channelId] });
connectionIndicator(link, $("conn"));
clockBadge(link, $("t-rehearsal"));

let state = null;
let channel = null;

// Acknowledged message ids survive a reload of the page (per channel).
const ackKey = `control-room.acked.${channelId}`;
const acked = new Set(JSON.parse(sessionStorage.getItem(ackKey) ?? "[]"));

function currentMessage() {
  return channel?.messages?.moderators ?? null;
}

/** A message's identity: its id (the journal seq) and when it went up. */
const messageKey = (msg) => `${msg.id}@${msg.at}`;

$("t-ack").addEventListener("click", () => {
  const msg = currentMessage();
  if (!msg) return;
  if (link.ack(channelId, msg.id, moderatorName)) {
    acked.add(messageKey(msg));
    sessionStorage.setItem(ackKey, JSON.stringify([...acked].slice(-50)));
    drawMessage();
  }
});

// Refused (no moderator link): the message is not acknowledged; say why on the button.
link.on("error", (e) => {
  if (!/^(unauthorized|forbidden)/.test(e.error ?? "")) return;
  const msg = currentMessage();
  if (msg) acked.delete(messageKey(msg));
  sessionStorage.setItem(ackKey, JSON.stringify([...acked].slice(-50)));
  $("t-ack").title = e.error;
  drawMessage();
});

function drawMessage() {
  const msg = currentMessage();
  const box = $("t-message");
  box.hidden = !msg;
  setClass(root, "has-message", Boolean(msg));
  if (!msg) return;
  setText($("t-message-text"), msg.text);
  const done = acked.has(messageKey(msg));
  const button = $("t-ack");
  button.disabled = done;
  setText(button, done ? t("acked") : t("ack"));
}

function onState(s) {
  state = s;
  channel = (s.channels ?? []).find((c) => c.id === channelId) ?? null;
  const tz = s.event?.timezone ?? "Europe/Paris";
  if (!channel) {
    setText($("t-channel"), t("unknown_channel", { id: channelId }));
    setText($("t-site"), "");
  } else {
    setText($("t-channel"), channel.title);
    const site = channel.site;
    setText($("t-site"), site ? t("live_from", { city: site.city }) + (site.venue && site.venue !== site.city ? ` · ${site.venue}` : "") : "");
  }
  $("t-hold").hidden = !channel?.held;
  $("t-slate").hidden = !channel?.slate;
  const next = channel ? upNext(channel) : null;
  $("t-next-box").hidden = !channel || channel.status === "finished";
  setText($("t-next-time"), next ? hhmm(next.at, tz) : "");
  setText($("t-next-title"), next ? next.title : t("nothing_next"));
  drawMessage();
}

/**
 * What « À suivre » names, and when (epoch ms): during a break, what resumes (the block's
 * item, else the parcours, else the block itself) at `resumes_at` when that comes before the
 * next segment (main at 13:30 resumes with the parcours at 14:00, not « 16:15 »); otherwise
 * the next segment.
 */
function upNext(ch) {
  const back = ms(ch.resumes_at);
  const next = ch.next ?? null;
  if (back !== null && (!next || back < ms(next.starts_at))) {
    const parallel = ch.now?.parallel ?? [];
    const title = ch.resumes_item?.title
      ?? (parallel.length ? t("resume_parallel", { n: parallel.length }) : ch.now?.title ?? "");
    return { at: back, title };
  }
  return next ? { at: ms(next.starts_at), title: next.title } : null;
}

link.on("state", onState);

// ------------------------------------------------------------------ every frame

/** What the big number counts while a segment is on air: the item (the speaker's slot) when
 * there is one, the segment otherwise; during a break, until the programme resumes. */
function countTarget(ch, seg) {
  const item = seg.item ?? null;
  const itemEnd = item ? ms(item.ends_at) : null;
  if (isBreak(seg)) {
    const fallback = item?.kind === "break" && itemEnd !== null ? itemEnd : ms(seg.ends_at);
    return { resume: true, start: ms(item?.kind === "break" ? item.starts_at : seg.starts_at), end: ms(ch.resumes_at ?? seg.resumes_at) ?? fallback };
  }
  if (item && itemEnd !== null) return { resume: false, start: ms(item.starts_at), end: itemEnd };
  return { resume: false, start: ms(seg.starts_at), end: ms(seg.ends_at) };
}

/** What is on air, under the countdown: the item and its people (and the segment's time left
 * when the big number counts the item), or the segment's people. */
function onAirLines(seg, now) {
  const item = seg.item ?? null;
  if (!item || item.title === seg.title) return { title: seg.title, sub: peopleLine(seg.people, { max: 4 }) };
  const segLeft = secondsToEnd(seg, now);
  const names = (item.people ?? []).filter((p) => !item.title.includes(p.name));
  const who = peopleLine(names, { max: 3 });
  const left = segLeft > 0 ? t("segment_left", { left: clockDuration(Math.ceil(segLeft)) }) : "";
  return { title: seg.title, sub: [item.title, who, left].filter(Boolean).join(" · ") };
}

/** The timer's screen at show time `now`: its phase (the shared rule) and its texts. */
function view(ch, now, tz) {
  const p = state ? phase(ch, now) : "idle";
  if (p === "idle") {
    return { phase: p, label: state ? t("unknown_channel", { id: channelId }) : t("waiting_state"), count: "--:--", progress: 0 };
  }
  if (p === "finished") {
    return { phase: p, label: t("finished"), count: "00:00", progress: 1, title: t("finished_long") };
  }
  if (ch.status === "before" || ch.status === "gap" || !ch.now) {
    const next = ch.next;
    const start = next ? ms(next.starts_at) : null;
    return {
      phase: p,
      label: ch.status === "gap" ? t("break") : t("before"),
      count: start !== null ? clockDuration(Math.ceil((start - now) / 1000)) : "--:--",
      progress: 0,
      title: next ? t("starts_at", { time: hhmm(start, tz) }) : "",
      sub: next ? next.title : "",
    };
  }
  const seg = ch.now;
  const target = countTarget(ch, seg);
  const left = (target.end - now) / 1000;
  // The colour follows what the big number counts, with the segment's thresholds.
  const colour = p === "break" ? p : segmentPhase({ ...seg, ends_at: target.end }, now);
  const label = target.resume ? t("resumes_in") : p === "break" ? t("break") : left > 0 ? t("time_left") : t("overtime");
  return {
    phase: colour,
    label,
    count: left > 0 ? clockDuration(Math.ceil(left)) : target.resume ? "00:00" : "+" + clockDuration(-left),
    progress: target.end > target.start ? (now - target.start) / (target.end - target.start) : 1,
    ...onAirLines(seg, now),
  };
}

/** The régie's flags on this screen at show time `now`: flashing, blacked out. */
function flags(ch, now) {
  const until = ms(ch?.timer?.flash_until ?? null);
  return { flash: until !== null && now < until, blackout: Boolean(ch?.timer?.blackout) };
}

function frame() {
  const now = link.clock.showNow();
  const f = flags(channel, now);
  setData(root, "flash", f.flash ? "on" : "");
  setData(root, "blackout", f.blackout ? "on" : "");
  const tz = state?.event?.timezone ?? "Europe/Paris";
  if (state) setText($("t-clock"), hhmmss(now, tz));
  const ch = channel;
  const v = view(ch, now, tz);
  setData(root, "phase", v.phase);
  setText($("t-label"), v.label);
  setText($("t-count"), v.count);
  setClass($("t-count"), "long", v.count.length > 5);
  setText($("t-title"), v.title ?? "");
  setText($("t-sub"), v.sub ?? "");
  const width = `${Math.max(0, Math.min(1, v.progress)) * 100}%`;
  const bar = $("t-bar");
  if (bar.style.width !== width) bar.style.width = width;
  // Next: in how long.
  const next = ch ? upNext(ch) : null;
  if (next) {
    const s = (next.at - now) / 1000;
    setText($("t-next-in"), s > 0 ? clockDuration(Math.ceil(s)) : "");
  } else {
    setText($("t-next-in"), "");
  }
}

everyFrame(frame);
