// The viewers' programme (/): the whole day per channel, what is live now, in Paris time and
// in the viewer's own time zone (métropole and outre-mer), updating live.
//
// Query: ?tz=Pacific/Noumea picks the second time zone (also remembered in localStorage).

import { applyI18n, lang, otherLangUrl, t } from "./i18n.js";
import { clockBadge, connect, connectionIndicator } from "./client.js";
import {
  dayKey,
  el,
  hhmm,
  longDate,
  ms,
  replaceChildren,
  setText,
  shortDate,
  shortTitle,
  utcOffset,
  weekdayDate,
} from "./format.js";
import { isBreak } from "./phase.js";
import { followSchedule } from "./schedule.js";

applyI18n();

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const ZONE_KEY = "control-room.zone";

// The zones the event is made for, besides the viewer's own: métropole and outre-mer.
const ZONES = [
  { zone: "Europe/Paris", fr: "Paris (métropole)", en: "Paris (mainland France)" },
  { zone: "America/Martinique", fr: "Fort-de-France (Martinique)", en: "Fort-de-France (Martinique)" },
  { zone: "America/Guadeloupe", fr: "Pointe-à-Pitre (Guadeloupe)", en: "Pointe-à-Pitre (Guadeloupe)" },
  { zone: "America/Cayenne", fr: "Cayenne (Guyane)", en: "Cayenne (French Guiana)" },
  { zone: "America/Miquelon", fr: "Saint-Pierre (Saint-Pierre-et-Miquelon)", en: "Saint-Pierre (Saint-Pierre and Miquelon)" },
  { zone: "Indian/Reunion", fr: "Saint-Denis (La Réunion)", en: "Saint-Denis (Réunion)" },
  { zone: "Indian/Mayotte", fr: "Mamoudzou (Mayotte)", en: "Mamoudzou (Mayotte)" },
  { zone: "Pacific/Noumea", fr: "Nouméa (Nouvelle-Calédonie)", en: "Nouméa (New Caledonia)" },
  { zone: "Pacific/Wallis", fr: "Mata-Utu (Wallis-et-Futuna)", en: "Mata-Utu (Wallis and Futuna)" },
  { zone: "Pacific/Tahiti", fr: "Papeete (Polynésie française)", en: "Papeete (French Polynesia)" },
];

function validZone(zone) {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "Europe/Paris";
let zone = [params.get("tz"), localStorage.getItem(ZONE_KEY), browserZone].find(validZone) ?? "Europe/Paris";

function zoneLabel(z, { short = false } = {}) {
  const known = ZONES.find((x) => x.zone === z);
  const label = known ? known[lang] ?? known.fr : z.split("/").pop().replace(/_/g, " ");
  return short ? label.replace(/\s*\(.*\)$/, "") : label;
}

let state = null;
let schedule = null;

const link = connect({ role: "viewer", channels: null });
connectionIndicator(link, $("conn"));
clockBadge(link, $("p-rehearsal"));
$("p-lang").href = otherLangUrl();

function eventZone() {
  return state?.event?.timezone ?? schedule?.event?.timezone ?? "Europe/Paris";
}

function eventDay() {
  return state?.event?.date ?? schedule?.event?.date ?? null;
}

function refInstant() {
  return ms(state?.event?.starts_at ?? schedule?.event?.starts_at) ?? Date.now();
}

// ------------------------------------------------------------------ zone selector

let zoneSelectFor = null;

function buildZoneSelect() {
  const select = $("p-tz-select");
  const at = refInstant();
  // Rebuilt only when what it shows changes: a live update must not close an open list.
  const key = `${zone}|${at}`;
  if (zoneSelectFor === key) return;
  zoneSelectFor = key;
  const options = [];
  const listed = ZONES.map((z) => z.zone);
  if (!listed.includes(browserZone)) {
    options.push({ value: browserZone, label: `${t("your_zone", { zone: browserZone })} — ${utcOffset(at, browserZone)}` });
  }
  if (!listed.includes(zone) && zone !== browserZone) {
    options.push({ value: zone, label: `${zone} — ${utcOffset(at, zone)}` });
  }
  for (const z of ZONES) {
    const mine = z.zone === browserZone ? ` · ${t("your_zone_short")}` : "";
    options.push({ value: z.zone, label: `${zoneLabel(z.zone)} — ${utcOffset(at, z.zone)}${mine}` });
  }
  replaceChildren(
    select,
    options.map((o) => el("option", { value: o.value, text: o.label, selected: o.value === zone })),
  );
  select.value = zone;
}

$("p-tz-select").addEventListener("change", (event) => {
  zone = event.target.value;
  localStorage.setItem(ZONE_KEY, zone);
  const url = new URL(location.href);
  url.searchParams.set("tz", zone);
  history.replaceState(null, "", url);
  draw();
});

// ------------------------------------------------------------------ time helpers

const secondZone = () => (zone === eventZone() ? null : zone);

/** "10:00" and, in the second zone, "04:00" (+ the date when it is another day there). */
function zoneTime(instant) {
  const z = secondZone();
  if (!z || instant === null) return null;
  const day = eventDay();
  const other = dayKey(instant, z) !== (day ?? dayKey(instant, eventZone()));
  return { time: hhmm(instant, z), date: other ? shortDate(instant, z) : null };
}

function timesBlock(start, end, expectedStart = null) {
  const tzEvent = eventZone();
  const nodes = [
    el(
      "div",
      { className: "t-paris num" },
      `${hhmm(start, tzEvent)} – ${hhmm(end, tzEvent)}`,
      el("small", { text: secondZone() ? t("paris_time") : "" }),
    ),
  ];
  const a = zoneTime(start);
  const b = zoneTime(end);
  if (a && b) {
    // Both ends on the event's day: no date; on one other day: that date; across midnight
    // there: both dates, so that "23:30 – 00:30" never reads as if it all were on the 8th.
    const dateNote =
      a.date === b.date ? (a.date ?? "") : `${shortDate(start, secondZone())} → ${shortDate(end, secondZone())}`;
    nodes.push(
      el(
        "div",
        { className: "t-zone num" },
        `${a.time} – ${b.time}`,
        el("small", { text: dateNote ? `${zoneLabel(zone, { short: true })} · ${dateNote}` : zoneLabel(zone, { short: true }) }),
      ),
    );
  }
  if (expectedStart !== null && Math.abs(expectedStart - start) >= 60000) {
    const z = secondZone();
    const extra = z ? ` (${hhmm(expectedStart, z)})` : "";
    nodes.push(el("div", { className: "t-expected num", text: t("expected_at", { time: hhmm(expectedStart, tzEvent) + extra }) }));
  }
  return el("div", { className: "row-times" }, nodes);
}

// ------------------------------------------------------------------ drawing

function channelSite(ch) {
  for (const s of ch.segments ?? []) if (s.site) return s.site;
  return null;
}

function stateOf(id) {
  return state?.channels?.find((c) => c.id === id) ?? null;
}

function peopleList(people) {
  if (!people?.length) return null;
  return el(
    "ul",
    { className: "row-people" },
    people.map((p) => {
      const rest = [p.function, p.organisation].filter(Boolean).join(" — ");
      return el("li", {}, el("strong", { text: p.name }), rest ? `, ${rest}` : "");
    }),
  );
}

function drawHeader() {
  const ev = state?.event ?? schedule?.event;
  if (!ev) return;
  setText($("p-title"), ev.title);
  setText($("p-subtitle"), ev.subtitle ?? "");
  document.title = `${ev.title} — ${t("programme")}`;
  const start = ms(ev.starts_at);
  const end = ms(ev.ends_at);
  const tzEvent = eventZone();
  const when = $("p-when");
  if (start !== null && end !== null) {
    replaceChildren(
      when,
      el("strong", { text: longDate(start, tzEvent) }),
      ` · ${hhmm(start, tzEvent)} – ${hhmm(end, tzEvent)} (${t("paris_time_lc")})`,
    );
    const a = zoneTime(start);
    const b = zoneTime(end);
    setText(
      $("p-tz-note"),
      a && b
        ? t("zone_span", {
            zone: zoneLabel(zone, { short: true }),
            start: a.date || b.date ? `${weekdayDate(start, zone)} ${a.time}` : a.time,
            end: a.date || b.date ? `${weekdayDate(end, zone)} ${b.time}` : b.time,
          })
        : "",
    );
  }
}

function drawNav() {
  const channels = schedule?.channels ?? state?.channels ?? [];
  replaceChildren(
    $("p-nav"),
    channels.map((ch) => {
      const live = stateOf(ch.id);
      const site = channelSite(ch);
      return el(
        "a",
        {
          href: `#ch-${ch.id}`,
          className: live?.status === "on_air" && !isBreak(live.now) ? "live" : "",
          title: ch.title,
        },
        shortTitle(ch.title),
        site && ch.id !== channels[0]?.id ? el("span", { className: "nav-city", text: site.city }) : null,
      );
    }),
  );
}

function nowCard(ch) {
  const tzEvent = eventZone();
  const z = secondZone();
  const both = (instant) => (z ? `${hhmm(instant, tzEvent)} (${hhmm(instant, z)} ${zoneLabel(z, { short: true })})` : hhmm(instant, tzEvent));
  let tag;
  let live = false;
  let title = "";
  let when = "";
  const now = ch.now;
  if (ch.status === "on_air" && !isBreak(now)) {
    live = true;
    tag = ch.site ? t("live_from", { city: ch.site.city }) : t("live");
    title = now.item && now.item.title !== now.title ? `${now.title} — ${now.item.title}` : now.title;
    when = t("until", { time: both(ms(now.ends_at)) });
    if (ch.parallel?.length) {
      const cities = ch.parallel.map((p) => p.site?.city).filter(Boolean);
      if (cities.length) tag = t("live_from", { city: cities.join(", ") });
    }
  } else if (ch.status === "finished") {
    tag = t("finished");
  } else if (ch.status === "before") {
    tag = t("upcoming");
    title = ch.next?.title ?? "";
    when = ch.next ? t("starts_at", { time: both(ms(ch.next.starts_at)) }) : "";
  } else {
    tag = t("break");
    const back = now?.item?.kind === "break" ? ms(now.item.ends_at) : ch.next ? ms(ch.next.starts_at) : null;
    title = back !== null ? t("break_until", { time: both(back) }) : t("break");
    when = ch.next ? `${t("next")} : ${ch.next.title}` : "";
  }
  const msg = ch.messages?.viewers;
  return el(
    "a",
    { className: `now-card${live ? " live" : ""}`, href: `#ch-${ch.id}`, dataset: { channel: ch.id } },
    el("span", { className: "now-channel", text: ch.title }),
    el("span", { className: `live-from${live ? "" : " off"}` }, el("span", { className: "live-dot" }), tag),
    title ? el("span", { className: "now-title", text: title }) : null,
    when ? el("span", { className: "now-when", text: when }) : null,
    msg ? el("span", { className: "notice", text: msg.text }) : null,
  );
}

function drawNow() {
  replaceChildren($("p-now"), (state?.channels ?? []).map(nowCard));
}

/** The items of a segment, the one on air marked. */
function itemsList(seg, nowItem) {
  const items = (seg.items ?? []).filter((it) => it.kind !== "break" || seg.kind !== "break");
  if (!items.length) return null;
  return el(
    "ol",
    { className: "items" },
    items.map((it) => {
      const s = ms(it.planned_starts_at ?? it.starts_at);
      const zt = zoneTime(s);
      return el(
        "li",
        { className: `item${it.id === nowItem ? " on-air" : ""}` },
        el(
          "span",
          { className: "item-time num" },
          hhmm(s, eventZone()),
          zt ? el("small", { text: zt.date ? `${zt.time} · ${zt.date}` : zt.time }) : null,
        ),
        el(
          "div",
          {},
          el("span", { className: "item-title", text: it.title }),
          it.site && it.site.id !== seg.site?.id ? ` — ${t("from_city", { city: it.site.city })}` : "",
          peopleList(it.people),
        ),
      );
    }),
  );
}

/** Links to the channels a segment runs in parallel with. */
function parallelLinks(seg) {
  if (!seg.parallel?.length) return null;
  return el(
    "div",
    { className: "parallel-links" },
    seg.parallel.map((id) => {
      const other = schedule.channels.find((c) => c.id === id);
      if (!other) return null;
      const site = channelSite(other);
      return el("a", { href: `#ch-${id}`, title: other.title }, `${shortTitle(other.title)}${site ? ` · ${site.city}` : ""} →`);
    }),
  );
}

function segmentRow(ch, seg, live) {
  const rundown = new Map((live?.rundown ?? []).map((r) => [r.id, r]));
  const r = rundown.get(seg.id);
  const status = r?.status ?? "planned";
  const start = ms(seg.planned_starts_at ?? seg.starts_at);
  const end = ms(seg.planned_ends_at ?? seg.ends_at);
  const expected = r?.starts_at && (status === "next" || status === "planned") ? ms(r.starts_at) : null;
  const onAir = status === "on_air";
  const tags = [];
  if (onAir && !isBreak(live?.now)) {
    const site = live.site;
    tags.push(
      el(
        "span",
        { className: "live-from" },
        el("span", { className: "live-dot" }),
        site ? t("live_from", { city: site.city }) : t("live"),
      ),
    );
  } else if (seg.site && status !== "done") {
    tags.push(el("span", { className: "tag site", text: t("from_city", { city: seg.site.city }) }));
  }
  if (status === "done") tags.push(el("span", { className: "tag done", text: t("past") }));
  if (status === "skipped") tags.push(el("span", { className: "tag done", text: t("skipped") }));
  if (seg.kind === "break") tags.push(el("span", { className: "tag", text: t("break") }));

  const itemList = itemsList(seg, onAir ? live?.now?.item?.id : null);
  const parallel = parallelLinks(seg);

  return el(
    "li",
    { className: `row status-${status} kind-${seg.kind}${onAir ? " on-air" : ""}${status === "done" ? " done" : ""}${status === "skipped" ? " skipped" : ""}`, dataset: { segment: seg.id } },
    timesBlock(start, end, expected),
    el(
      "div",
      { className: "row-body" },
      tags.length ? el("div", { className: "row-tags" }, tags) : null,
      el("h3", { className: "row-title", text: seg.title }),
      seg.subtitle ? el("p", { className: "row-subtitle", text: seg.subtitle }) : null,
      peopleList(seg.people),
      parallel,
      itemList,
    ),
  );
}

function drawChannels() {
  if (!schedule) return;
  const sections = schedule.channels.map((ch) => {
    const live = stateOf(ch.id);
    const delay = live?.delay_seconds ?? 0;
    const msg = live?.messages?.viewers;
    return el(
      "section",
      { className: "ch", id: `ch-${ch.id}`, dataset: { channel: ch.id } },
      el(
        "header",
        { className: "ch-head" },
        el("div", {}, el("h2", { className: "ch-title", text: ch.title }), el("p", { className: "ch-sub", text: ch.subtitle ?? "" })),
      ),
      msg ? el("div", { className: "notice", text: msg.text }) : null,
      delay >= 120 && live?.status !== "finished" ? el("div", { className: "notice", text: t("delay_notice", { d: `${Math.round(delay / 60)} min` }) }) : null,
      el("ol", { className: "rows" }, ch.segments.map((seg) => segmentRow(ch, seg, live))),
    );
  });
  replaceChildren($("p-channels"), sections);
}

function draw() {
  drawHeader();
  buildZoneSelect();
  drawNav();
  drawNow();
  drawChannels();
  const z = secondZone();
  setText($("p-foot-text"), z ? t("foot_zone", { zone: zoneLabel(z), paris: eventZone() }) : t("foot_paris"));
}

link.on("state", (s) => {
  state = s;
  draw();
});
followSchedule(link, (loaded) => {
  schedule = loaded;
  draw();
});
