// Formatting of instants and durations, and small DOM helpers shared by the screens.
//
// Instants are epoch milliseconds (show time); a time zone is always given explicitly, so the
// machine's own zone never leaks into what the régie or the moderators read.

import { locale, t } from "./i18n.js";

const formatters = new Map();

function formatter(timeZone, options) {
  const key = timeZone + JSON.stringify(options);
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone, ...options });
    formatters.set(key, f);
  }
  return f;
}

/** An ISO-8601 instant (or epoch ms, or null) as epoch ms (or null). */
export function ms(value) {
  if (value === null || value === undefined || value === "") return null;
  if (typeof value === "number") return value;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? null : parsed;
}

/** "14:00" in the zone. */
export function hhmm(instant, timeZone) {
  if (instant === null || instant === undefined) return "";
  return formatter(timeZone, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(instant);
}

/** "14:00:05" in the zone. */
export function hhmmss(instant, timeZone) {
  if (instant === null || instant === undefined) return "";
  return formatter(timeZone, {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).format(instant);
}

/** "mardi 7 juillet 2026" in the zone. */
export function longDate(instant, timeZone) {
  return formatter(timeZone, { weekday: "long", day: "numeric", month: "long", year: "numeric" }).format(
    instant,
  );
}

/** "mardi 7 juillet" in the zone. */
export function weekdayDate(instant, timeZone) {
  return formatter(timeZone, { weekday: "long", day: "numeric", month: "long" }).format(instant);
}

/** "7 juil." in the zone. */
export function shortDate(instant, timeZone) {
  return formatter(timeZone, { day: "numeric", month: "short" }).format(instant);
}

/** The calendar day "2026-07-07" of an instant in the zone. */
export function dayKey(instant, timeZone) {
  const parts = formatter(timeZone, { year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(instant);
  const get = (type) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** The UTC offset of the zone at the instant, e.g. "UTC+11" or "UTC−10". */
export function utcOffset(instant, timeZone) {
  const parts = formatter(timeZone, { timeZoneName: "shortOffset" }).formatToParts(instant);
  const name = parts.find((p) => p.type === "timeZoneName")?.value ?? "";
  return name.replace("GMT", "UTC").replace("-", "−") || "UTC";
}

/**
 * A duration in seconds as "mm:ss" (or "h:mm:ss" past an hour), never negative: the caller
 * decides how to show a sign. Whole seconds are rounded towards the instant being counted to,
 * so a countdown shows 00:00 exactly at the cue and never "00:00" for a whole second early.
 */
export function clockDuration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, "0");
  const ss = String(sec).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Seconds left until an instant, for a countdown: ceil, so 0.2 s left reads 00:01. */
export function secondsLeft(untilMs, nowMs) {
  return Math.ceil((untilMs - nowMs) / 1000);
}

/** A signed offset in seconds as "+2:00" / "−1:30" / "0:00". */
export function signedDuration(seconds) {
  const s = Math.round(seconds);
  const sign = s > 0 ? "+" : s < 0 ? "−" : "";
  const a = Math.abs(s);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  const sec = String(a % 60).padStart(2, "0");
  return h > 0 ? `${sign}${h}:${String(m).padStart(2, "0")}:${sec}` : `${sign}${m}:${sec}`;
}

/** A short human duration: "5 min", "1 h 05", "45 s". */
export function humanDuration(seconds) {
  const a = Math.abs(Math.round(seconds));
  if (a < 60) return `${a} s`;
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  if (h === 0) return `${m} min`;
  return `${h} h ${String(m).padStart(2, "0")}`;
}

/** "+2:00 de retard" / "1:00 d'avance" / "À l'heure" for an offset in seconds (>0 = late). */
export function overUnder(seconds) {
  const s = Math.round(seconds || 0);
  if (Math.abs(s) < 1) return t("on_time");
  if (s > 0) return t("over", { d: signedDuration(s).slice(1) });
  return t("under", { d: signedDuration(s).slice(1) });
}

/** The people of a segment as one line: "Frédérique Marquet, Co-présidente — Réseau …". */
export function peopleLine(people, { max = 4 } = {}) {
  if (!Array.isArray(people) || people.length === 0) return "";
  const names = people.slice(0, max).map((p) => p.name);
  const more = people.length > max ? ` +${people.length - max}` : "";
  return names.join(" · ") + more;
}

/** A channel's title up to its first " – " / " : " (within 40 characters): "Parcours 1". */
export function shortTitle(title) {
  const text = String(title ?? "");
  const cut = text.search(/\s[-–—:]\s/);
  return cut > 0 && cut < 40 ? text.slice(0, cut) : text;
}

/** One person with their function and organisation. */
export function personLine(p) {
  const parts = [p.function, p.organisation].filter(Boolean);
  return parts.length ? `${p.name}, ${parts.join(" — ")}` : p.name;
}

// ------------------------------------------------------------------------------- DOM helpers

/**
 * Create an element. `props` may hold className, dataset, text (set as textContent), attrs,
 * on (event listeners); children are nodes or strings (inserted as text, never as HTML).
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  const { className, dataset, text, attrs, on, ...rest } = props;
  if (className) node.className = className;
  if (dataset) Object.assign(node.dataset, dataset);
  if (attrs) for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) node.setAttribute(k, v);
  if (on) for (const [k, v] of Object.entries(on)) node.addEventListener(k, v);
  Object.assign(node, rest);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Set an element's text only when it changes (cheap enough to call every frame). */
export function setText(node, text) {
  if (!node) return;
  const s = text === null || text === undefined ? "" : String(text);
  if (node.textContent !== s) node.textContent = s;
}

/** Toggle a class only when it changes. */
export function setClass(node, name, on) {
  if (node && node.classList.contains(name) !== Boolean(on)) node.classList.toggle(name, Boolean(on));
}

/** Set a data attribute only when it changes. */
export function setData(node, name, value) {
  if (!node) return;
  const s = value === null || value === undefined ? "" : String(value);
  if (node.dataset[name] !== s) node.dataset[name] = s;
}

/** Replace the children of a node. */
export function replaceChildren(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}
