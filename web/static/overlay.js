// The on-air overlay of one channel (/overlay/{channel}): an OBS browser source.
//
// Query parameters:
//   position = bottom-left (default) | bottom-center | bottom-right | top-left | top-center | top-right
//   safe     = safe-area margin in % of the frame (0–20, default 5)
//   theme    = dark (default) | light | glass
//   accent   = colour of the "live" tag, hex without # (e.g. accent=0a7cff)
//   next     = 0 to hide the "À suivre" line
//   preview  = 1 to draw a fake picture behind (to judge the overlay in a normal browser)
//   lang     = en for English

import { applyI18n, t } from "./i18n.js";
import { connect } from "./client.js";
import { el, hhmm, ms, personLine, replaceChildren, setClass, setText } from "./format.js";
import { isBreak } from "./phase.js";

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
    // Back at: the end of a break item inside a segment, else the next segment's start.
    let back = null;
    if (item?.kind === "break") back = ms(item.ends_at);
    else if (next) back = ms(next.starts_at);
    else if (now) back = ms(now.ends_at);
    const title = back !== null ? t("break_until", { time: hhmm(back, tz) }) : t("break");
    return {
      key: `break|${now?.id}|${item?.id}|${next?.id}`,
      mode: "break",
      tag: t("break"),
      title,
      next: nextLine,
    };
  }
  // The main channel while the parcours run: the list of where each one is live.
  if (now.parallel?.length && !site_of(ch)) {
    return { key: `parallel|${now.id}`, mode: "parallel", tag: "", title: now.title, next: nextLine };
  }
  // On air.
  const site = ch.site;
  const people = item?.people?.length ? item.people : (now.people ?? []);
  return {
    key: `air|${site?.id}|${now.id}|${item?.id}`,
    mode: "air",
    tag: site ? t("live_from", { city: site.city }) : t("live"),
    venue: site && site.venue && site.venue !== site.city ? site.venue : "",
    ...titles(ch, now, item),
    people,
    next: nextLine,
  };
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

function peopleNodes(people) {
  if (!people || people.length === 0) return [];
  if (people.length <= 2) {
    const nodes = [];
    people.forEach((p, i) => {
      if (i > 0) nodes.push(" · ");
      const rest = personLine(p).slice(p.name.length);
      nodes.push(el("strong", { text: p.name }), rest);
    });
    return nodes;
  }
  const nodes = [];
  people.slice(0, 6).forEach((p, i) => {
    if (i > 0) nodes.push(" · ");
    nodes.push(el("strong", { text: p.name }));
  });
  if (people.length > 6) nodes.push(` +${people.length - 6}`);
  return nodes;
}

function fill(view) {
  const l3 = $("l3");
  l3.dataset.mode = view.mode;
  setText($("l3-live-text"), view.tag);
  setText($("l3-venue"), view.venue ?? "");
  setText($("l3-kicker"), view.kicker ?? "");
  setText($("l3-title"), view.title ?? "");
  const people = peopleNodes(view.people);
  replaceChildren($("l3-people"), people.length ? people : view.description ?? "");
  setClass($("l3-people"), "description", people.length === 0);
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
        fill(v); // same segment: update in place (e.g. the next one changed)
        continue;
      }
      if (!l3.hidden) await animate(l3, OUT, 320);
      fill(v);
      l3.hidden = false;
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

function drawParallel(state, ch) {
  const list = ch.status === "on_air" ? (ch.parallel ?? []) : [];
  const live = list.filter((p) => p.now);
  $("parallel").hidden = Boolean(ch.slate) || live.length === 0 || isBreak(ch.now);
  setText($("parallel-kicker"), [t("live"), ch.now?.subtitle].filter(Boolean).join(" · "));
  setText($("parallel-title"), ch.now?.title ?? "");
  replaceChildren(
    $("parallel-list"),
    list.map((p, i) => {
      const onBreak = !p.now || p.now.kind === "break";
      // A slate on a parcours, or its feed lost, must not be announced as live.
      const interrupted = Boolean(p.slate) || feedLost.has(p.channel);
      const where = interrupted
        ? t("interrupted")
        : p.site && !onBreak
          ? t("live_from", { city: p.site.city })
          : t("break");
      return el(
        "li",
        { className: onBreak || interrupted ? "off" : "", dataset: { channel: p.channel } },
        el("span", { className: "parallel-num", text: String(i + 1) }),
        el("span", { className: "parallel-where", text: where }),
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
