// The on-air overlay of one channel (/overlay/{channel}): an OBS browser source.
//
// Query parameters:
//   position = bottom-left (default) | bottom-center | bottom-right | top-left | top-center | top-right
//   safe     = safe-area margin in % of the frame (0–20, default 5)
//   theme    = dark (default) | light | glass
//   accent   = colour of the "live" tag, hex without # (e.g. accent=0a7cff)
//   next     = 0 to hide the "À suivre" line
//   strap    = auto (default: the name strap follows the state's lower_third, in at an item's
//              or a segment's start, out after its time or when the régie calls it out)
//              | on (always in while someone is named) | off (never)
//   lines    = at most this many lines of names on a panel's strap (1–4, default 2)
//   box      = auto (default: the parcours box on the main channel collapses to a slim bar
//              one minute after the parallel segment started) | full | slim
//   preview  = 1 to draw a fake picture behind (to judge the overlay in a normal browser)
//   lang     = en for English

import { applyI18n, t } from "./i18n.js";
import { connect } from "./client.js";
import { el, hhmm, ms, replaceChildren, setClass, setText } from "./format.js";
import { isBreak } from "./phase.js";
import { drawStrap, fitStrap } from "./strap.js";

applyI18n();

const params = new URLSearchParams(location.search);
const channelId = document.body.dataset.channel;
const stage = document.getElementById("stage");
const $ = (id) => document.getElementById(id);

// ------------------------------------------------------------------ options

const POSITIONS = ["bottom-left", "bottom-center", "bottom-right", "top-left", "top-center", "top-right"];
const THEMES = ["dark", "light", "glass"];
const position = POSITIONS.includes(params.get("position")) ? params.get("position") : "bottom-left";
const theme = THEMES.includes(params.get("theme")) ? params.get("theme") : "dark";
stage.className = `stage pos-${position} theme-${theme}`;
const safe = Number(params.get("safe"));
if (params.has("safe") && Number.isFinite(safe) && safe >= 0 && safe <= 20) {
  stage.style.setProperty("--safe", String(safe));
}
const accent = params.get("accent");
if (accent && /^[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/.test(accent)) {
  stage.style.setProperty("--accent", `#${accent}`);
}
if (params.get("preview") === "1") stage.classList.add("preview");
const showNext = params.get("next") !== "0";
const pick = (name, values) => (values.includes(params.get(name)) ? params.get(name) : values[0]);
const strapMode = pick("strap", ["auto", "on", "off"]);
const boxMode = pick("box", ["auto", "full", "slim"]);
const lines = Number(params.get("lines"));
const strapLines = Number.isInteger(lines) && lines >= 1 && lines <= 4 ? lines : 2;
// The parcours box shows in full for this long after the parallel segment started.
const BOX_FULL_MS = 60_000;

function fit() {
  const scale = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
  stage.style.transform = Math.abs(scale - 1) < 0.001 ? "" : `scale(${scale})`;
}
window.addEventListener("resize", fit);
fit();

// ------------------------------------------------------------------ what to show

/** Everything the lower third shows, and a key that changes when a transition is due. */
function describe(state, ch) {
  const tz = state.event?.timezone ?? "Europe/Paris";
  const now = ch.now;
  const next = ch.next;
  const nextLine = next ? { time: hhmm(ms(next.starts_at), tz), title: next.title } : null;
  const item = now?.item ?? null;
  const pause = isBreak(now);

  if (ch.status === "finished") {
    return { key: "finished", mode: "finished", tag: t("finished"), title: t("finished_long"), next: null };
  }
  if (ch.status === "before") {
    const at = next ? hhmm(ms(next.starts_at), tz) : "";
    return {
      key: `before|${next?.id}`,
      mode: "before",
      tag: t("starts_at", { time: at }),
      kicker: next?.subtitle ?? "",
      title: next?.title ?? "",
      next: null,
    };
  }
  if (ch.status === "gap" || pause) {
    const back = resumption(ch);
    const title = back !== null ? t("break_until", { time: hhmm(back, tz) }) : t("break");
    const resuming = back !== null ? resumingTitle(ch, back) : null;
    return {
      key: `break|${now?.id}|${item?.id}|${next?.id}`,
      mode: "break",
      tag: t("break"),
      title,
      next: resuming !== null ? { time: hhmm(back, tz), title: resuming } : nextLine,
    };
  }
  // The main channel while the parcours run: the list of where each one is live.
  if (now.parallel?.length && !site_of(ch)) {
    return { key: `parallel|${now.id}`, mode: "parallel", tag: "", title: now.title, next: nextLine };
  }
  // On air.
  const site = ch.site;
  const strap = ch.lower_third ?? { visible: false, people: [] };
  const people = strap.people ?? [];
  return {
    key: `air|${site?.id}|${now.id}|${item?.id}`,
    mode: "air",
    tag: site ? t("live_from", { city: site.city }) : t("live"),
    venue: site && site.venue && site.venue !== site.city ? site.venue : "",
    ...titles(ch, now, item),
    people,
    strapIn: people.length > 0 && (strapMode === "on" || (strapMode === "auto" && strap.visible)),
    next: nextLine,
  };
}

/**
 * When a break ends (epoch ms, null: unknown): `resumes_at` when the state gives it (a break
 * item inside a block, a break segment), else the next segment's start, else the end of
 * what is on air.
 */
function resumption(ch) {
  const at = ms(ch.resumes_at);
  if (at !== null) return at;
  if (ch.now?.item?.kind === "break") return ms(ch.now.item.ends_at);
  if (ch.next) return ms(ch.next.starts_at);
  return ch.now ? ms(ch.now.ends_at) : null;
}

/**
 * What resumes after a break, for the "À suivre" line: the item that resumes the block, else
 * the next segment when it starts then, else the parallel channels (on the main channel
 * during the parcours' lunch), else the block going on after its break item (null: nothing
 * resumes). Never the next segment when something else resumes first (« Pause — reprise à
 * 14:00 » beside « À suivre 16:15 »).
 */
function resumingTitle(ch, back) {
  if (ch.resumes_item?.title) return ch.resumes_item.title;
  if (ch.next && ms(ch.next.starts_at) === back) return ch.next.title;
  const parallel = ch.now?.parallel ?? [];
  if (parallel.length) return t("resume_parallel", { n: parallel.length });
  if (ch.now?.item?.kind === "break") return ch.now.title;
  return null;
}

const SHORT = 60;

function site_of(ch) {
  return ch.site ?? null;
}

/** Kicker, title and description: the item inside its segment, or the segment in its channel. */
function titles(ch, now, item) {
  if (item && item.title !== now.title) return { kicker: now.title, title: item.title, description: "" };
  const sub = now.subtitle ?? "";
  if (sub && sub.length <= SHORT) return { kicker: sub, title: now.title, description: "" };
  // A long subtitle reads as a description; the channel's subtitle (or title) is the kicker.
  const channelKicker = ch.subtitle && ch.subtitle.length <= 90 ? ch.subtitle : "";
  return { kicker: channelKicker, title: now.title, description: sub };
}

function fill(view) {
  const l3 = $("l3");
  l3.dataset.mode = view.mode;
  setText($("l3-live-text"), view.tag);
  setText($("l3-venue"), view.venue ?? "");
  setText($("l3-kicker"), view.kicker ?? "");
  setText($("l3-title"), view.title ?? "");
  setText($("l3-desc"), view.description ?? "");
  // The strap is filled even while out (a later "in" only shows it).
  drawStrap($("l3-people"), view.people ?? [], { maxLines: strapLines });
  const next = showNext ? view.next : null;
  $("l3-next").hidden = !next;
  if (next) {
    setText($("l3-next-time"), next.time);
    setText($("l3-next-title"), next.title);
  }
}

// ------------------------------------------------------------------ transitions

let shownKey = null;
let wanted = null; // the latest view asked for
let busy = false;

const OUT = [
  { opacity: 1, transform: "translateY(0)" },
  { opacity: 0, transform: "translateY(24px)" },
];
const IN = [
  { opacity: 0, transform: "translateX(-40px)", clipPath: "inset(0 100% 0 0)" },
  { opacity: 1, transform: "translateX(0)", clipPath: "inset(0 0 0 0)" },
];

const STRAP_IN = [
  { opacity: 0, transform: "translateY(14px)", clipPath: "inset(0 100% 0 0)" },
  { opacity: 1, transform: "translateY(0)", clipPath: "inset(0 0 0 0)" },
];
const STRAP_OUT = [
  { opacity: 1, transform: "translateY(0)" },
  { opacity: 0, transform: "translateY(10px)" },
];
const FADE_IN = [{ opacity: 0 }, { opacity: 1 }];

const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

/**
 * Play a transition. It never holds the banner back: if the page does not render (a hidden
 * OBS source may not run animations), a timer ends it and the new content shows anyway.
 */
async function animate(node, frames, duration) {
  if (reducedMotion) return;
  const animation = node.animate(frames, { duration, easing: "cubic-bezier(.2,.7,.2,1)", fill: "none" });
  let timer;
  const deadline = new Promise((resolve) => {
    timer = setTimeout(resolve, duration + 250);
  });
  await Promise.race([animation.finished.catch(() => {}), deadline]);
  clearTimeout(timer);
  animation.cancel();
}

/** Show or hide the strap at once (the whole card is about to come in). */
function setStrap(on) {
  const strap = $("l3-people");
  strap.hidden = !on;
  $("l3-desc").hidden = on || !$("l3-desc").textContent;
  if (on) fitStrap(strap);
}

/** Bring the strap in or take it out, animated, inside a card already up. */
async function strapTo(on) {
  const strap = $("l3-people");
  if (on === !strap.hidden) {
    if (on) fitStrap(strap);
    setStrap(on);
    return;
  }
  if (on) {
    setStrap(true);
    await animate(strap, STRAP_IN, 480);
  } else {
    await animate(strap, STRAP_OUT, 320);
    setStrap(false);
  }
}

async function show(view) {
  wanted = view;
  if (busy) return;
  busy = true;
  try {
    while (wanted) {
      const v = wanted;
      wanted = null;
      const l3 = $("l3");
      if (v === "hide") {
        if (!l3.hidden) await animate(l3, OUT, 300);
        l3.hidden = true;
        shownKey = null;
        continue;
      }
      if (!l3.hidden && shownKey === v.key) {
        fill(v); // same segment: update in place (the next one changed, the strap in or out)
        await strapTo(Boolean(v.strapIn));
        continue;
      }
      if (!l3.hidden) await animate(l3, OUT, 320);
      fill(v);
      l3.hidden = false;
      setStrap(Boolean(v.strapIn));
      shownKey = v.key;
      await animate(l3, IN, 520);
    }
  } finally {
    busy = false;
  }
}

// ------------------------------------------------------------------ drawing

// The parcours whose site on air has lost its feed (the public `feed_health` message):
// announced as interrupted, as for a slate, whatever the site's reaction.
const feedLost = new Map();

/** The show time (epoch ms): the link's clock, or the state's instant until the clock is known. */
function showTime() {
  return link.clock.model ? link.clock.showNow() : ms(link.state?.at);
}

/** Whether the parcours box is a slim bar at show time `now` (epoch ms), by the `box` option. */
function boxSlim(ch, now) {
  if (boxMode !== "auto") return boxMode === "slim";
  const start = ms(ch?.now?.starts_at);
  return start !== null && now !== null && now - start >= BOX_FULL_MS;
}

/** Collapse (or open) the parcours box when its first minute is over; called on a timer. */
function drawBox() {
  const ch = (link.state?.channels ?? []).find((c) => c.id === channelId);
  const box = $("parallel");
  const slim = boxSlim(ch, showTime());
  if (box.classList.contains("slim") === slim) return;
  setClass(box, "slim", slim);
  if (!box.hidden && !reducedMotion) animate(box, FADE_IN, 360);
}

/** « En direct de Morlaix », the city in its own span (the slim bar shows only the city). */
function liveFrom(city) {
  const [before, after] = t("live_from", { city: "\u0000" }).split("\u0000");
  return [
    before ? el("span", { className: "where-words", text: before }) : null,
    el("span", { className: "where-city", text: city }),
    after ? el("span", { className: "where-words", text: after }) : null,
  ];
}

function drawParallel(state, ch) {
  const list = ch.status === "on_air" ? (ch.parallel ?? []) : [];
  const live = list.filter((p) => p.now);
  $("parallel").hidden = Boolean(ch.slate) || live.length === 0 || isBreak(ch.now);
  setClass($("parallel"), "slim", boxSlim(ch, showTime()));
  setText($("parallel-kicker"), [t("live"), ch.now?.subtitle].filter(Boolean).join(" · "));
  setText($("parallel-title"), ch.now?.title ?? "");
  replaceChildren(
    $("parallel-list"),
    list.map((p, i) => {
      const onBreak = !p.now || p.now.kind === "break";
      // A slate on a parcours, or its feed lost, must not be announced as live.
      const interrupted = Boolean(p.slate) || feedLost.has(p.channel);
      const where = interrupted ? t("interrupted") : p.site && !onBreak ? liveFrom(p.site.city) : t("break");
      return el(
        "li",
        { className: onBreak || interrupted ? "off" : "", dataset: { channel: p.channel } },
        el("span", { className: "parallel-num", text: String(i + 1) }),
        el("span", { className: "parallel-where" }, where),
        el("span", { className: "parallel-what", text: p.now?.title ?? p.title }),
      );
    }),
  );
}

function drawTicker(ch) {
  const msg = ch.messages?.viewers ?? null;
  $("ticker").hidden = !msg || Boolean(ch.slate);
  setText($("ticker-text"), msg?.text ?? "");
}

function drawSlate(state, ch) {
  const slate = ch.slate ?? null;
  $("slate").hidden = !slate;
  if (!slate) return;
  setText($("slate-text"), slate.text);
  setText($("slate-event"), state.event?.title ?? "");
  setText($("slate-foot"), ch.title ?? "");
}

function draw(state) {
  const ch = (state.channels ?? []).find((c) => c.id === channelId);
  const column = $("column");
  const unknown = column.querySelector(".unknown");
  if (!ch) {
    show("hide");
    $("parallel").hidden = true;
    $("ticker").hidden = true;
    $("slate").hidden = true;
    if (!unknown) column.append(el("div", { className: "unknown", text: t("unknown_channel", { id: channelId }) }));
    return;
  }
  unknown?.remove();
  drawSlate(state, ch);
  drawTicker(ch);
  drawParallel(state, ch);
  if (ch.slate) show("hide");
  else show(describe(state, ch));
}

const link = connect({ role: "overlay", channels: [channelId] });
link.on("state", draw);
link.on("welcome", () => feedLost.clear()); // the greeting that follows says what is lost
link.on("feed_health", (msg) => {
  if (msg.lost) feedLost.set(msg.channel, msg.site ?? "");
  else feedLost.delete(msg.channel);
  if (link.state) draw(link.state);
});
// The box collapses by the show clock, not by a push: a cheap check four times a second
// (a timer, not animation frames, which a hidden OBS source may not run).
setInterval(drawBox, 250);
