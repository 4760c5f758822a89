// The studio clock (/clock): the control room's wall. The show time in big figures (the
// server's clock as client.js estimates it, so a rehearsal at --at/--speed reads as the day
// it rehearses), each channel's on-air site and what it shows, and the next cue: the earliest
// change to come over all the channels (a segment's end, the next one's start), counted down.
//
// Public, like the overlay: it draws no private note, whoever opens it.

import { applyI18n, t } from "./i18n.js";
import { clockBadge, connect, connectionIndicator, everyFrame } from "./client.js";
import { clockDuration, el, hhmm, hhmmss, longDate, ms, replaceChildren, setData, setText, shortTitle } from "./format.js";
import { isBreak } from "./phase.js";

applyI18n();

const $ = (id) => document.getElementById(id);

const link = connect({ role: "viewer" });
connectionIndicator(link, $("conn"));
clockBadge(link, $("sc-rehearsal"));

let state = null;

const tz = () => state?.event?.timezone ?? "Europe/Paris";
const nameOf = (ch) => ch.short || shortTitle(ch.title);

/** Where a channel is on air from, or what it is doing instead. */
function whereLine(ch) {
  if (ch.status === "finished") return { live: false, text: t("finished") };
  if (ch.status === "before") return { live: false, text: ch.next ? t("starts_at", { time: hhmm(ms(ch.next.starts_at), tz()) }) : t("before") };
  if (ch.status === "gap" || !ch.now) return { live: false, text: ch.next ? t("break_until", { time: hhmm(ms(ch.next.starts_at), tz()) }) : t("break") };
  if (isBreak(ch.now)) {
    const resumes = ms(ch.resumes_at) ?? ms(ch.now.ends_at);
    return { live: false, text: t("break_until", { time: hhmm(resumes, tz()) }) };
  }
  if (ch.site) return { live: true, text: t("live_from", { city: ch.site.city }) };
  // A block that hands over to parallel channels (the main channel's parcours).
  const cities = [...new Set((ch.parallel ?? []).map((p) => p.site?.city).filter(Boolean))];
  if (cities.length) return { live: true, text: t("live_from", { city: cities.join(", ") }) };
  return { live: true, text: t("on_air") };
}

function onAirLines(ch) {
  const seg = ch.now;
  if (!seg) {
    const next = ch.next;
    return { title: next ? next.title : "", sub: next ? t("starts_at", { time: hhmm(ms(next.starts_at), tz()) }) : "" };
  }
  const item = seg.item;
  const title = item && item.title !== seg.title && !isBreak(seg) ? `${seg.title} — ${item.title}` : seg.title;
  return { title, sub: t("until", { time: hhmm(ms(seg.ends_at), tz()) }) };
}

function drawChannels() {
  const channels = state?.channels ?? [];
  const list = $("sc-channels");
  list.style.setProperty("--n", String(Math.max(1, channels.length)));
  replaceChildren(
    list,
    channels.map((ch) => {
      const where = whereLine(ch);
      const lines = onAirLines(ch);
      return el(
        "li",
        { className: "sc-channel", dataset: { channel: ch.id, status: ch.status, live: where.live ? "1" : "0" } },
        el("div", { className: "sc-name", text: nameOf(ch), title: ch.title }),
        el("div", { className: "sc-where" }, where.live ? el("span", { className: "live-dot" }) : null, el("span", { className: "sc-where-text", text: where.text })),
        ch.slate ? el("div", { className: "badge slate", text: t("slate") }) : null,
        el("div", { className: "sc-what", text: lines.title, title: lines.title }),
        el("div", { className: "sc-sub num", text: lines.sub }),
      );
    }),
  );
}

link.on("state", (s) => {
  state = s;
  setText($("sc-event"), s.event?.title ?? "");
  drawChannels();
});

// ------------------------------------------------------------------ the next cue

/** Every change to come on every channel: a segment's end (and what follows straight on), the
 * next segment's start. */
function cuesOf(channels) {
  const cues = [];
  for (const ch of channels) {
    const end = ms(ch.now?.ends_at);
    const start = ms(ch.next?.starts_at);
    if (end !== null && start !== null && Math.abs(start - end) < 1000) {
      cues.push({ at: end, ch, text: t("sc_cue_then", { from: ch.now.title, to: ch.next.title }) });
      continue;
    }
    if (end !== null) cues.push({ at: end, ch, text: t("sc_cue_end", { title: ch.now.title }) });
    if (start !== null) cues.push({ at: start, ch, text: t("sc_cue_start", { title: ch.next.title }) });
  }
  return cues;
}

/** The earliest cue after `now`, with every channel's cue at the same instant. */
function nextCue(channels, now) {
  const ahead = cuesOf(channels).filter((c) => c.at > now);
  if (ahead.length === 0) return null;
  const at = Math.min(...ahead.map((c) => c.at));
  return { at, cues: ahead.filter((c) => c.at - at < 1000) };
}

let drawnCue = "";

function drawCue(now) {
  const cue = state ? nextCue(state.channels ?? [], now) : null;
  setData($("sc-cue"), "none", cue ? "" : "1");
  setText($("sc-cue-in"), cue ? clockDuration(Math.ceil((cue.at - now) / 1000)) : "--:--");
  setText($("sc-cue-at"), cue ? t("at_time", { time: hhmm(cue.at, tz()) }) : t("sc_no_cue"));
  const key = cue ? `${cue.at}|${cue.cues.map((c) => c.ch.id + c.text).join("|")}` : "";
  if (key === drawnCue) return;
  drawnCue = key;
  replaceChildren(
    $("sc-cue-list"),
    (cue?.cues ?? []).map((c) =>
      el("li", { className: "sc-cue-item", dataset: { channel: c.ch.id } }, el("span", { className: "sc-cue-channel", text: nameOf(c.ch) }), el("span", { className: "sc-cue-text", text: c.text, title: c.text })),
    ),
  );
}

function frame() {
  if (!state) return;
  const now = link.clock.showNow();
  setText($("sc-time"), hhmmss(now, tz()));
  setText($("sc-date"), longDate(now, tz()));
  drawCue(now);
}

everyFrame(frame);
