// One card per channel: where it is live, what is on air with its countdown, what is next,
// and a button for every command. Built once per set of channels, then redrawn on every
// state and every animation frame (only what changed is touched).

import { t } from "../i18n.js";
import { clockDuration, el, hhmm, ms, peopleLine, replaceChildren, setClass, setText, signedDuration } from "../format.js";
import { isBreak, segmentPhase, secondsToEnd } from "../phase.js";
import { act, switcherAction } from "./actions.js";
import { drawMessages, drawPresence, drawSwitcher } from "./card-meta.js";
import { buildControls, button, drawControls, frameControls, runControl } from "./controls.js";
import { buildNotes, drawNotes } from "./notes.js";
import { $, channelOf, nameOf, room, SELECTED_KEY, tz } from "./room.js";

const cards = new Map(); // channel id -> {root, refs}
const feeds = new Map(); // channel id -> the switcher's feed status (the `feeds` message)
const COUNTDOWN_PHASES = ["warning", "danger", "overtime"];

/** Select a channel (for the keyboard): its card and its timeline row are marked. */
export function select(id) {
  room.selected = id;
  sessionStorage.setItem(SELECTED_KEY, id);
  for (const [cid, card] of cards) setClass(card.root, "selected", cid === id);
  for (const label of document.querySelectorAll(".tl-label")) setClass(label, "selected", label.dataset.channel === id);
}

/** The card of a channel, once drawn. */
export function cardOf(id) {
  return cards.get(id);
}

function nowSection(r) {
  return el(
    "section",
    { className: "card-section now" },
    el("div", { className: "sec-label" }, r("nowLabel", el("span", { text: t("now") })), r("offset", el("span", { className: "offset" }))),
    el(
      "div",
      { className: "now-row" },
      el("div", { className: "now-text" }, r("title", el("div", { className: "now-title" })), r("item", el("div", { className: "now-item" }))),
      r("count", el("div", { className: "countdown num", text: "--:--" })),
    ),
    el("div", { className: "progress" }, r("bar", el("div", { className: "progress-bar" }))),
    el("div", { className: "times num" }, r("planned", el("span")), r("expected", el("span"))),
  );
}

function nextSection(r) {
  return el(
    "section",
    { className: "card-section next" },
    el("div", { className: "sec-label" }, el("span", { text: t("next") })),
    el(
      "div",
      { className: "next-line" },
      r("nextTime", el("span", { className: "next-time num" })),
      r("nextTitle", el("span", { className: "next-title" })),
      r("nextIn", el("span", { className: "next-in num" })),
    ),
  );
}

function buildCard(ch, index) {
  const refs = {};
  const r = (name, node) => (refs[name] = node);
  const root = el(
    "article",
    { className: "card", dataset: { channel: ch.id } },
    el(
      "header",
      { className: "card-head", dataset: { select: ch.id } },
      el("span", { className: "card-key", text: String(index + 1) }),
      el("div", { className: "card-title" }, r("name", el("div", { className: "card-name" })), el("div", { className: "card-id", text: ch.id })),
      r("badges", el("div", { className: "card-badges" })),
    ),
    r("siteBox", el("div", { className: "card-site" }, r("site", el("div", { className: "site-live" })), r("venue", el("div", { className: "site-venue" })))),
    r("feed", el("div", { className: "card-feed", hidden: true })),
    nowSection(r),
    nextSection(r),
    buildNotes(r),
    buildControls(r),
    r("messages", el("div", { className: "card-section messages" })),
    el(
      "div",
      { className: "meta" },
      el(
        "div",
        { className: "meta-row presence-row" },
        r("presence", el("div", { className: "presence" })),
        button("reset", t("reset"), "ghost small danger-text"),
      ),
      r("switcher", el("div", { className: "meta-row switcher" })),
    ),
  );
  root.addEventListener("click", (event) => onCardClick(ch.id, event));
  return { root, refs };
}

function onCardClick(id, event) {
  const target = event.target.closest("[data-action], [data-select], [data-sw], [data-feed-return]");
  if (!target) return;
  const current = channelOf(id);
  if (!current) return;
  if (target.dataset.select !== undefined) {
    select(id);
    return;
  }
  if (target.dataset.feedReturn) {
    target.blur();
    const proposal = feedsOf(id).find((f) => f.site === target.dataset.feedReturn)?.proposal;
    if (proposal) act(proposal);
    return;
  }
  if (target.dataset.sw) {
    target.blur();
    switcherAction(id, target.dataset.sw);
    return;
  }
  select(id);
  // Give the focus back to the page: a later Space is the take shortcut (which asks first),
  // never a second press of the button that happens to have the focus.
  if (target instanceof HTMLElement) target.blur();
  runControl(current, target);
}

function badge(text, className) {
  return el("span", { className: `badge ${className}`, text });
}

function statusBadge(ch) {
  const pause = isBreak(ch.now);
  if (ch.status === "on_air" && !pause) return badge(t("on_air"), "live");
  if (ch.status === "on_air" || ch.status === "gap") return badge(t("break"), "muted");
  if (ch.status === "before") return badge(t("before"), "muted");
  return badge(t("finished"), "muted");
}

function drawHead(ch, card) {
  const { root, refs } = card;
  setText(refs.name, nameOf(ch));
  refs.name.title = ch.title ?? "";
  setClass(root, "on-air", ch.status === "on_air" && !isBreak(ch.now));
  setClass(root, "held", ch.held);
  setClass(root, "slated", Boolean(ch.slate));
  const badges = [statusBadge(ch)];
  if (ch.held) badges.push(badge(t("held"), "hold"));
  if (ch.slate) badges.push(badge(t("slate"), "slate"));
  if (ch.site_overridden) badges.push(badge(t("overridden"), "warn"));
  replaceChildren(refs.badges, badges);
}

/** Where the channel is live, large; or what it waits for. */
function drawSite(ch, refs) {
  const site = ch.site;
  const live = ch.status === "on_air" && site;
  setClass(refs.siteBox, "off", !live);
  if (live) {
    replaceChildren(refs.site, el("span", { className: "live-dot" }), t("live_from", { city: site.city }));
    setText(refs.venue, site.venue && site.venue !== site.city ? site.venue : site.name !== site.city ? site.name : "");
  } else if (ch.status === "on_air" && ch.parallel?.length && ch.parallel.some((p) => p.site)) {
    setClass(refs.siteBox, "off", false);
    const cities = ch.parallel.map((p) => p.site?.city).filter(Boolean).join(" · ");
    replaceChildren(refs.site, el("span", { className: "live-dot" }), t("live_from", { city: cities }));
    setText(refs.venue, ch.now?.subtitle ?? "");
  } else {
    const text = ch.status === "finished" ? t("finished") : ch.status === "before" ? t("before") : t("break");
    replaceChildren(refs.site, text);
    setText(refs.venue, afterBreak(ch));
  }
}

/** What comes after a pause, never misleading: in a block's break, when the programme
 * resumes (« Reprise à 14:00 », the parcours' at lunch on main), not the next segment's
 * site hours later; else where the next segment comes from. */
function afterBreak(ch) {
  const zone = tz();
  const resumes = ms(ch.resumes_at);
  if (resumes !== null) {
    const time = hhmm(resumes, zone);
    if (ch.resumes_item) return t("r_resumes_with", { time, title: ch.resumes_item.title });
    if (ch.now?.parallel?.length) return t("r_resumes_parallel", { time });
    const next = ch.next;
    if (next?.site && ms(next.starts_at) === resumes) return t("r_resumes_from", { time, city: next.site.city });
    return t("r_resumes_at", { time });
  }
  return ch.next?.site ? t("next_site", { city: ch.next.site.city }) : "";
}

/** An item's line: its start, its title, and its people not already named in the title
 * ("Intervention de Marina FERRARI", not "… · Marina FERRARI"). */
function itemLine(item, zone) {
  let line = `${hhmm(ms(item.starts_at), zone)} ${item.title}`;
  const title = item.title.toLocaleLowerCase();
  const others = (item.people ?? []).filter((p) => !title.includes(String(p.name ?? "").toLocaleLowerCase()));
  const who = peopleLine(others, { max: 2 });
  if (who) line += ` · ${who}`;
  return line;
}

/** How late the channel runs, as the badge shows it: the engine's `delay_seconds`, the
 * expected − planned start of what is next (with nothing next, the segment on air's
 * expected − planned end; docs/timeline.md, "The lateness badge"). After +1 min then a
 * 5-minute delay, the round table starts at 10:35 instead of 10:30: « +5:00 ». */
export function lateness(ch) {
  if (typeof ch.delay_seconds === "number") return ch.delay_seconds;
  if (ch.next) return ch.next.offset_seconds ?? 0;
  return ch.now?.offset_seconds ?? 0;
}

/** What is on air: its title, item or people, planned and expected times, the over/under. */
function drawNow(ch, refs, zone) {
  const now = ch.now;
  const label = ch.resumes_at ? t("resumes_in") : t("now"); // the countdown counts to the resumption
  setText(refs.nowLabel, now ? label : ch.status === "finished" ? t("finished") : t("starts_in_label"));
  setText(refs.title, now ? now.title : ch.status === "finished" ? t("finished") : "—");
  const item = now?.item;
  let line = "";
  if (item && item.title !== now.title) line = itemLine(item, zone);
  else if (now) line = peopleLine(now.people, { max: 3 });
  setText(refs.item, line);
  const span = (start, end) => ({ start: hhmm(ms(start), zone), end: hhmm(ms(end), zone) });
  setText(refs.planned, now ? t("planned", span(now.planned_starts_at, now.planned_ends_at)) : "");
  setText(refs.expected, now ? t("expected", span(now.starts_at, now.ends_at)) : "");
  const offset = lateness(ch);
  setText(refs.offset, offset ? signedDuration(offset) : t("on_time"));
  setClass(refs.offset, "late", offset > 0);
  setClass(refs.offset, "early", offset < 0);
  const d = signedDuration(offset).slice(1);
  const words = offset > 0 ? t("over", { d }) : offset < 0 ? t("under", { d }) : t("on_time");
  const next = ch.next;
  refs.offset.title = next
    ? `${words} — ${t("r_next_expected", { expected: hhmm(ms(next.starts_at), zone), planned: hhmm(ms(next.planned_starts_at), zone) })}`
    : words;
}

function drawCard(ch, card) {
  const { refs } = card;
  const zone = tz();
  drawHead(ch, card);
  drawSite(ch, refs);
  drawNow(ch, refs, zone);
  const next = ch.next;
  setText(refs.nextTime, next ? hhmm(ms(next.starts_at), zone) : "");
  setText(refs.nextTitle, next ? next.title : t("nothing_next"));
  refs.nextTitle.title = next?.title ?? "";
  drawNotes(ch, refs);
  drawMessages(ch, refs);
  drawPresence(ch, refs);
  drawSwitcher(ch, refs);
  drawControls(ch, card);
  drawFeed(ch, card, null);
}

/** « 0:04 », « 12:30 »: how long a feed has been lost. */
function sinceText(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function feedsOf(channelId) {
  return feeds.get(channelId)?.feeds ?? [];
}

// A short beep when a feed is lost; browsers allow sound only after a user gesture.
let audio = null;
for (const gesture of ["pointerdown", "keydown"]) {
  window.addEventListener(gesture, () => {
    audio ??= window.AudioContext ? new AudioContext() : null;
    audio?.resume?.();
  });
}

function beep() {
  if (!audio || audio.state !== "running") return;
  const osc = audio.createOscillator();
  const gain = audio.createGain();
  osc.frequency.value = 880;
  gain.gain.setValueAtTime(0.2, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
  osc.connect(gain).connect(audio.destination);
  osc.start();
  osc.stop(audio.currentTime + 0.4);
}

/** The switcher's `feeds` message: the health of the sites' feeds a channel needs. */
export function onFeeds(msg) {
  const before = new Set(feedsOf(msg.channel).filter((f) => f.lost).map((f) => f.site));
  feeds.set(msg.channel, msg.status ?? {});
  if (feedsOf(msg.channel).some((f) => f.lost && !before.has(f.site))) beep();
  const ch = room.state?.channels?.find((c) => c.id === msg.channel);
  const card = cards.get(msg.channel);
  if (ch && card) drawFeed(ch, card, null);
}

/** A lost feed turns the card red: « Flux perdu : Morlaix depuis 0:04 », and the return
 * button once it is back (`proposal`: the command that undoes the switcher's reaction). */
function drawFeed(ch, card, wallNow) {
  const { root, refs } = card;
  const list = feedsOf(ch.id);
  const lost = list.filter((f) => f.lost);
  const proposals = list.filter((f) => f.proposal);
  setClass(root, "feed-lost", lost.some((f) => f.role === "on_air"));
  setClass(root, "feed-warn", lost.length > 0 && lost.every((f) => f.role !== "on_air"));
  refs.feed.hidden = lost.length === 0 && proposals.length === 0;
  if (refs.feed.hidden) return;
  const now = (wallNow ?? room.link?.clock?.wallNow?.() ?? Date.now()) / 1000;
  const key = [...lost.map((f) => `${f.site}:${Math.floor(now - f.lost_at)}`), ...proposals.map((f) => f.site)].join("|");
  if (refs.feed.dataset.key === key) return;
  refs.feed.dataset.key = key;
  const nodes = lost.map((f) =>
    el("div", {
      className: "feed-line",
      text: t(f.role === "next" ? "feed_lost_next" : "feed_lost", { site: f.name, since: sinceText(now - f.lost_at) }),
    }),
  );
  for (const f of proposals) {
    const label = t(f.proposal.type === "slate_clear" ? "feed_back_slate" : "feed_back_site", { site: f.name });
    nodes.push(el("div", { className: "feed-line back" }, el("span", { text: t("feed_back", { site: f.name }) }), el("button", { className: "btn small", type: "button", dataset: { feedReturn: f.site }, text: label, title: label })));
  }
  replaceChildren(refs.feed, nodes);
}

/** Every animation frame: the countdown, its colour, the progress bar, "in 12:00". */
function frameCard(ch, card, now) {
  const { refs } = card;
  drawFeed(ch, card, null);
  frameControls(ch, card, now);
  const seg = ch.now;
  let countPhase = "";
  let text = "--:--";
  let progress = 0;
  const resumes = ms(ch.resumes_at);
  if (seg && resumes !== null) {
    // A break: count to the resumption (main at 13:30: the parcours' 14:00, not 16:00).
    const left = (resumes - now) / 1000;
    const start = ms(seg.item?.starts_at ?? seg.starts_at);
    progress = resumes > start ? (now - start) / (resumes - start) : 1;
    text = left > 0 ? clockDuration(Math.ceil(left)) : "00:00";
  } else if (seg) {
    const start = ms(seg.starts_at);
    const end = ms(seg.ends_at);
    const left = secondsToEnd(seg, now);
    progress = end > start ? (now - start) / (end - start) : 1;
    text = left > 0 ? clockDuration(Math.ceil(left)) : `+${clockDuration(-left)}`;
    countPhase = segmentPhase(seg, now);
  } else if (ch.next && ch.status !== "finished") {
    const left = (ms(ch.next.starts_at) - now) / 1000;
    text = left > 0 ? clockDuration(Math.ceil(left)) : "00:00";
  }
  setText(refs.count, text);
  for (const p of COUNTDOWN_PHASES) {
    setClass(refs.count, p, countPhase === p);
    setClass(refs.bar, p, countPhase === p);
  }
  const width = `${Math.max(0, Math.min(1, progress)) * 100}%`;
  if (refs.bar.style.width !== width) refs.bar.style.width = width;
  const nextLeft = ch.next ? (ms(ch.next.starts_at) - now) / 1000 : 0;
  setText(refs.nextIn, nextLeft > 0 ? t("in_time", { left: clockDuration(Math.ceil(nextLeft)) }) : "");
}

/** Draw every card (rebuilt when the set of channels changes). */
export function drawChannels() {
  const channels = room.state?.channels ?? [];
  const container = $("r-channels");
  const ids = channels.map((c) => c.id).join("|");
  if (container.dataset.ids !== ids) {
    cards.clear();
    const nodes = channels.map((ch, i) => {
      const card = buildCard(ch, i);
      cards.set(ch.id, card);
      return card.root;
    });
    replaceChildren(container, nodes);
    container.dataset.ids = ids;
    container.style.setProperty("--columns", String(Math.min(4, Math.max(1, channels.length))));
    if (!room.selected || !cards.has(room.selected)) room.selected = channels[0]?.id ?? null;
    select(room.selected);
  }
  for (const ch of channels) drawCard(ch, cards.get(ch.id));
}

/** Every animation frame: the countdowns of every card. */
export function frameChannels(now) {
  for (const ch of room.state?.channels ?? []) {
    const card = cards.get(ch.id);
    if (card) frameCard(ch, card, now);
  }
}
