// The déroulé strip: the day's plan per channel (from the schedule), what is done or
// skipped, the segment on air with its expected extent, the show-time cursor, and how late
// each channel runs.

import { el, hhmm, ms, replaceChildren, signedDuration } from "../format.js";
import { lateness, select } from "./cards.js";
import { $, nameOf, room, tz } from "./room.js";

const HOUR = 3600e3;

let range = null; // {lo, hi} epoch ms of the strip
let cursor = null; // the show-time line

function segmentsOf(chId) {
  return room.schedule?.channels?.find((c) => c.id === chId)?.segments ?? [];
}

/** The strip's extent: whole hours around the earliest planned start and the latest end. */
function dayRange(channels) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const ch of channels) {
    for (const s of segmentsOf(ch.id)) {
      lo = Math.min(lo, ms(s.planned_starts_at ?? s.starts_at));
      hi = Math.max(hi, ms(s.planned_ends_at ?? s.ends_at));
    }
    for (const row of ch.rundown ?? []) {
      if (row.ends_at) hi = Math.max(hi, ms(row.ends_at));
    }
  }
  if (!Number.isFinite(lo)) {
    lo = ms(room.state.event?.starts_at) ?? ms(room.state.at);
    hi = ms(room.state.event?.ends_at) ?? lo + 9.5 * HOUR;
  }
  return { lo: Math.floor(lo / HOUR) * HOUR, hi: Math.ceil(hi / HOUR) * HOUR };
}

function plannedSegment(s, status, pct, zone) {
  const start = ms(s.planned_starts_at ?? s.starts_at);
  const end = ms(s.planned_ends_at ?? s.ends_at);
  const classes = ["tl-seg", `kind-${s.kind}`];
  if (s.hard) classes.push("hard");
  if (status === "done") classes.push("done");
  if (status === "skipped") classes.push("skipped");
  if (status === "on_air") classes.push("on-air");
  return el("div", {
    className: classes.join(" "),
    style: `left:${pct(start)};width:calc(${pct(end)} - ${pct(start)})`,
    title: `${hhmm(start, zone)}–${hhmm(end, zone)} ${s.title}`,
    text: s.title,
  });
}

/** A channel's label, row (planned segments, and where the one on air stands) and offset. */
function channelRow(ch, pct, zone) {
  const label = el("div", {
    className: `tl-label${ch.id === room.selected ? " selected" : ""}`,
    dataset: { channel: ch.id },
    text: nameOf(ch),
    title: ch.title,
    on: { click: () => select(ch.id) },
  });
  const row = el("div", { className: "tl-row", dataset: { channel: ch.id } });
  const rundown = new Map((ch.rundown ?? []).map((r) => [r.id, r]));
  for (const s of segmentsOf(ch.id)) row.append(plannedSegment(s, rundown.get(s.id)?.status, pct, zone));
  if (ch.now) {
    // Where the segment on air actually stands (expected start and end, after commands).
    const start = ms(ch.now.starts_at);
    const end = ms(ch.now.ends_at);
    const late = (ch.now.offset_seconds ?? 0) > 0; // the segment on air runs over
    row.append(
      el("div", {
        className: `tl-expected${late ? " late" : ""}`,
        style: `left:${pct(start)};width:calc(${pct(end)} - ${pct(start)})`,
      }),
    );
  }
  const offset = lateness(ch); // as the card's badge: how late what is next starts
  const off = el("div", {
    className: `tl-offset num${offset > 0 ? " late" : offset < 0 ? " early" : ""}`,
    text: offset ? signedDuration(offset) : "±0:00",
  });
  return [label, row, off];
}

/** Draw the strip from the state and the schedule (redrawn whenever either changes). */
export function drawTimeline() {
  if (!room.state) return;
  const channels = room.state.channels ?? [];
  range = dayRange(channels);
  const { lo, hi } = range;
  const pct = (x) => `${((x - lo) / (hi - lo)) * 100}%`;
  const zone = tz();
  const scale = el("div", { className: "tl-scale" });
  for (let h = lo; h <= hi; h += HOUR) {
    scale.append(el("div", { className: "tl-hour", style: `left:${pct(h)}` }, el("span", { text: hhmm(h, zone) })));
  }
  cursor = el("div", { className: "tl-now" });
  scale.append(cursor);
  replaceChildren($("r-timeline"), scale, channels.flatMap((ch) => channelRow(ch, pct, zone)));
}

/** Every animation frame: the show-time cursor. */
export function frameTimeline(now) {
  if (!cursor || !range) return;
  const x = (now - range.lo) / (range.hi - range.lo);
  cursor.hidden = x < 0 || x > 1;
  const left = `${Math.max(0, Math.min(1, x)) * 100}%`;
  if (cursor.style.left !== left) cursor.style.left = left;
}
