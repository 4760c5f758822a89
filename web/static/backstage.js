// The backstage view of one channel (/backstage/{channel}): what the floor manager, the
// moderators and the producer read behind the stage, with the schedule's private notes.
//
// The server serves this page only to a régie or that channel's moderator session, and the
// websocket (and /api/schedule) carry the notes of that scope only: nothing here decides who
// reads a note. The page draws now/next with their notes, the people with function and
// organisation, the items of the segment on air (plan against expected, « +3:00 »), the
// régie's messages and the lateness; countdowns are drawn every frame from absolute instants.

import { applyI18n, t } from "./i18n.js";
import { clockBadge, connect, connectionIndicator, everyFrame } from "./client.js";
import { clockDuration, el, hhmm, hhmmss, ms, replaceChildren, setClass, setData, setText, shortTitle, signedDuration } from "./format.js";
import { phase } from "./phase.js";
import { followSchedule } from "./schedule.js";

applyI18n();

const channelId = document.body.dataset.channel;
const $ = (id) => document.getElementById(id);
const root = $("backstage");

// A viewer's role: the régie's screen counts are for overlays and moderators' timers.
const link = connect({ role: "viewer", channels: [channelId] });
connectionIndicator(link, $("conn"));
clockBadge(link, $("bs-rehearsal"));

let state = null;
let channel = null;
let planned = new Map(); // segment id -> the schedule's segment (items with plan, notes, people)

followSchedule(link, (doc) => {
  const found = (doc.channels ?? []).find((c) => c.id === channelId);
  planned = new Map((found?.segments ?? []).map((seg) => [seg.id, seg]));
  if (state) draw();
});

const tz = () => state?.event?.timezone ?? "Europe/Paris";

/** "10:20 – 10:30", or "10:20:00 – 10:33:30" when an instant is off the minute (30 s steps). */
function span(start, end) {
  const a = ms(start);
  const b = ms(end);
  if (a === null) return "";
  const onMinute = [a, b].every((x) => x === null || Math.round(x / 1000) % 60 === 0);
  const fmt = (x) => (onMinute ? hhmm(x, tz()) : hhmmss(x, tz()));
  return b === null ? fmt(a) : t("from_to", { start: fmt(a), end: fmt(b) });
}

/** « +3:00 » (late), « −1:30 » (early), « 0:00 »: how far the expected instant is from the plan. */
function diffOf(expected, plan) {
  const a = ms(expected);
  const b = ms(plan);
  return a === null || b === null ? null : Math.round((a - b) / 1000);
}

function diffNode(seconds, tag = "span") {
  if (seconds === null) return el(tag, { className: "bs-diff", text: "" });
  const kind = seconds > 0 ? "late" : seconds < 0 ? "early" : "on-time";
  return el(tag, { className: `bs-diff num ${kind}`, text: signedDuration(seconds) });
}

/** Planned and expected times of a segment or an item, and their difference. */
function timesInto(node, { plannedStart, plannedEnd, start, end, diff }) {
  replaceChildren(
    node,
    el("dt", { text: t("bs_planned") }),
    el("dd", { className: "num", text: span(plannedStart, plannedEnd) }),
    el("dt", { text: t("bs_expected") }),
    el("dd", { className: "num", text: span(start, end) }),
    el("dt", { text: t("bs_diff") }),
    diffNode(diff, "dd"),
  );
}

function roleLabel(role) {
  const key = `bs_role_${role}`;
  const text = t(key);
  return text === key ? role : text;
}

/** People with their role, function and organisation; a name never breaks inside. */
function peopleInto(node, people) {
  const seen = new Set();
  const rows = [];
  for (const p of people) {
    const key = `${p.name}|${p.role}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const about = [p.function, p.organisation].filter(Boolean).join(" — ");
    rows.push(
      el(
        "li",
        { className: "bs-person" },
        el("span", { className: "bs-name", text: p.name, title: p.name }),
        el("span", { className: "bs-role", text: roleLabel(p.role) }),
        about ? el("span", { className: "bs-about", text: about }) : null,
      ),
    );
  }
  if (rows.length === 0) rows.push(el("li", { className: "bs-empty", text: t("bs_no_people") }));
  replaceChildren(node, rows);
}

/** The private notes, each under what it is about. */
function notesInto(node, notes) {
  const shown = notes.filter((n) => n.text);
  node.hidden = shown.length === 0;
  replaceChildren(
    node,
    shown.map((n) =>
      el("div", { className: "bs-note" }, el("div", { className: "bs-note-label", text: t("bs_note_on", { what: n.about }) }), el("div", { className: "bs-note-text", text: n.text })),
    ),
  );
}

function drawHead(ch) {
  setText($("bs-channel"), ch ? ch.short || shortTitle(ch.title) : t("unknown_channel", { id: channelId }));
  $("bs-channel").title = ch?.title ?? "";
  const site = ch?.site ?? null;
  setText($("bs-site"), site ? t("live_from", { city: site.city }) + (site.venue && site.venue !== site.city ? ` · ${site.venue}` : "") : "");
  $("bs-hold").hidden = !ch?.held;
  $("bs-slate").hidden = !ch?.slate;
  // The lateness: how late what comes next starts against its plan (else the segment's end).
  const late = ch?.next ? ch.next.offset_seconds : (ch?.now?.offset_seconds ?? 0);
  const lateNode = $("bs-late");
  setText(lateNode, late > 0 ? t("runs_late", { d: signedDuration(late) }) : late < 0 ? t("runs_early", { d: signedDuration(late) }) : t("on_time"));
  setData(lateNode, "late", late > 0 ? "late" : late < 0 ? "early" : "on-time");
}

function drawNow(ch) {
  const seg = ch?.now ?? null;
  const status = ch?.status ?? "before";
  setText($("bs-now-label"), seg ? t("on_air") : status === "finished" ? t("finished") : status === "gap" ? t("break") : t("before"));
  setText($("bs-now-title"), seg ? seg.title : status === "finished" ? t("finished_long") : "");
  if (seg) {
    timesInto($("bs-now-times"), {
      plannedStart: seg.planned_starts_at,
      plannedEnd: seg.planned_ends_at,
      start: seg.starts_at,
      end: seg.ends_at,
      diff: diffOf(seg.ends_at, seg.planned_ends_at),
    });
  } else {
    replaceChildren($("bs-now-times"));
  }
  const item = seg?.item ?? null;
  const showItem = Boolean(item && item.title !== seg.title) || Boolean(item && seg.items.length > 1);
  $("bs-item").hidden = !showItem;
  if (showItem) {
    setText($("bs-item-title"), item.title);
    timesInto($("bs-item-times"), {
      plannedStart: item.planned_starts_at,
      plannedEnd: item.planned_ends_at,
      start: item.starts_at,
      end: item.ends_at,
      diff: diffOf(item.ends_at, item.planned_ends_at),
    });
  }
  const notes = seg ? [{ about: seg.title, text: seg.notes }] : [];
  if (item && item.notes) notes.push({ about: item.title, text: item.notes });
  notesInto($("bs-now-notes"), notes);
  peopleInto($("bs-people"), [...(item?.people ?? []), ...(seg?.people ?? [])]);
}

/** The items of the segment on air: the schedule's plan beside the engine's expected windows. */
function drawItems(ch) {
  const seg = ch?.now ?? null;
  const plan = seg ? planned.get(seg.id) : null;
  const windows = new Map((seg?.item_windows ?? []).map((w) => [w.id, w]));
  const items = plan?.items ?? seg?.items ?? [];
  $("bs-items-table").hidden = items.length === 0;
  $("bs-items-none").hidden = items.length > 0 || !seg;
  const rows = items.map((it) => {
    const w = windows.get(it.id) ?? {};
    const start = w.starts_at ?? it.starts_at ?? null;
    const end = w.ends_at ?? it.ends_at ?? null;
    const people = (it.people ?? []).map((p) => p.name).filter((name) => !it.title.includes(name));
    return el(
      "tr",
      { className: "bs-row", dataset: { item: it.id, start: String(ms(start) ?? ""), end: String(ms(end) ?? "") } },
      el(
        "td",
        { className: "bs-cell-title" },
        el("div", { className: "bs-row-title", text: it.title, title: it.title }),
        people.length
          ? el("div", { className: "bs-row-people" }, people.flatMap((name, i) => [i ? " · " : null, el("span", { className: "bs-row-name", text: name })]))
          : null,
        it.notes ? el("div", { className: "bs-row-note", text: it.notes }) : null,
      ),
      el("td", { className: "num", text: span(it.planned_starts_at ?? it.starts_at, it.planned_ends_at ?? it.ends_at) }),
      el("td", { className: "num", text: span(start, end) }),
      el("td", {}, diffNode(diffOf(end, it.planned_ends_at ?? it.ends_at))),
    );
  });
  replaceChildren($("bs-items"), rows);
}

function drawNext(ch) {
  const next = ch?.next ?? null;
  setText($("bs-next-title"), next ? next.title : t("nothing_next"));
  if (next) {
    timesInto($("bs-next-times"), {
      plannedStart: next.planned_starts_at,
      plannedEnd: next.planned_ends_at,
      start: next.starts_at,
      end: next.ends_at,
      diff: next.offset_seconds,
    });
  } else {
    replaceChildren($("bs-next-times"));
  }
  notesInto($("bs-next-notes"), next ? [{ about: next.title, text: next.notes }] : []);
  const people = next?.people ?? [];
  $("bs-next-people").hidden = people.length === 0;
  if (people.length) peopleInto($("bs-next-people"), people);
}

function drawMessages(ch) {
  for (const audience of ["moderators", "viewers"]) {
    const box = $(`bs-msg-${audience}`);
    const msg = ch?.messages?.[audience] ?? null;
    setClass(box, "empty", !msg);
    setText(box.querySelector(".bs-msg-text"), msg ? msg.text : t("bs_no_message"));
    setText(box.querySelector(".bs-msg-at"), msg?.at ? t("at_time", { time: hhmm(ms(msg.at), tz()) }) : "");
  }
}

function draw() {
  drawHead(channel);
  drawNow(channel);
  drawItems(channel);
  drawNext(channel);
  drawMessages(channel);
}

link.on("state", (s) => {
  state = s;
  channel = (s.channels ?? []).find((c) => c.id === channelId) ?? null;
  draw();
});

// ------------------------------------------------------------------ every frame

function left(instant, now) {
  const end = ms(instant);
  if (end === null) return "";
  const s = (end - now) / 1000;
  return s > 0 ? t("bs_left", { left: clockDuration(Math.ceil(s)) }) : t("bs_over", { over: clockDuration(-s) });
}

function frame() {
  if (!state) return;
  const now = link.clock.showNow();
  setText($("bs-clock"), hhmmss(now, tz()));
  const ch = channel;
  setData(root, "phase", phase(ch, now));
  const seg = ch?.now ?? null;
  setText($("bs-now-left"), seg ? left(seg.ends_at, now) : "");
  setText($("bs-item-left"), seg?.item ? left(seg.item.ends_at, now) : "");
  const start = ms(ch?.next?.starts_at);
  setText($("bs-next-in"), start !== null && start > now ? t("in_time", { left: clockDuration(Math.ceil((start - now) / 1000)) }) : "");
  const onAir = seg?.item?.id ?? null;
  for (const row of $("bs-items").children) {
    const end = Number(row.dataset.end);
    const status = row.dataset.item === onAir ? "on-air" : row.dataset.end && end <= now ? "done" : "to-come";
    setData(row, "status", status);
  }
}

everyFrame(frame);
