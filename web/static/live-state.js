// The state by reference: the server's live document joined with the schedule.
//
// A link that asks for `state=ref` gets `live` (the live document of what it follows: ids,
// instants, flags, texts) on connect and `delta` (a JSON merge patch per channel that
// changed) after that: a few hundred bytes where the whole state is 11 KB. The schedule
// (titles, people, sites, items) comes once per version from GET /api/schedule
// (schedule.js). joinState() builds from the two exactly the state document of
// GET /api/state, the shape every page reads (control_room/core/live_document.py is the
// other side; a browser test compares the two documents).

/** RFC 7386: apply a merge patch to a JSON value (objects merged, the rest replaced). */
export function applyPatch(doc, patch) {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out = doc !== null && typeof doc === "object" && !Array.isArray(doc) ? { ...doc } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyPatch(out[key], value);
  }
  return out;
}

/** The schedule document, indexed for the join (built once per schedule). */
export function indexSchedule(schedule) {
  const sites = new Map();
  for (const site of schedule.sites ?? []) if (site) sites.set(site.id, site);
  const channels = new Map();
  for (const channel of schedule.channels ?? []) {
    const segments = new Map();
    for (const seg of channel.segments ?? []) {
      const items = new Map();
      for (const item of seg.items ?? []) items.set(item.id, item);
      segments.set(seg.id, { seg, items });
    }
    channels.set(channel.id, { channel, segments });
  }
  return { schedule, sites, channels };
}

function fullInstant(instants, short) {
  if (short === undefined || short === null) return null;
  if (short.includes("T")) return short;
  return `${instants.prefix}${short.length === 5 ? `${short}:00` : short}${instants.suffix}`;
}

function itemRef(item) {
  return { id: item.id, title: item.title, site: item.site?.id ?? null, estimated: item.estimated };
}

function strapPerson(p) {
  return { name: p.name, function: p.function, organisation: p.organisation };
}

/** A segment of the state document: the schedule's, at its live instants. */
function segmentDoc(ref, live, at) {
  const seg = ref.seg;
  return {
    id: seg.id,
    title: seg.title,
    subtitle: seg.subtitle,
    kind: seg.kind,
    hard: seg.hard,
    estimated: seg.estimated,
    site: seg.site,
    scene: seg.scene,
    people: seg.people,
    starts_at: at(live.s),
    ends_at: at(live.e),
    planned_starts_at: seg.planned_starts_at,
    planned_ends_at: seg.planned_ends_at,
    warning_seconds: seg.warning_seconds,
    danger_seconds: seg.danger_seconds,
    lower_third_seconds: seg.lower_third_seconds,
    notes: live.notes ?? null,
    parallel: seg.parallel,
    items: (seg.items ?? []).map(itemRef),
    offset_seconds: live.off,
  };
}

function nowDoc(ref, live, at) {
  const doc = segmentDoc(ref, live, at);
  const item = live.item ? ref.items.get(live.item.id) : undefined;
  doc.item = item
    ? {
        ...item,
        notes: live.item.notes ?? null,
        starts_at: at(live.item.s),
        ends_at: at(live.item.e),
      }
    : null;
  // Every item's expected window, as the engine computed it (keyed by item in the live
  // document, in the schedule's order here).
  const windows = live.iw ?? {};
  doc.item_windows = (ref.seg.items ?? [])
    .filter((it) => windows[it.id])
    .map((it) => ({ id: it.id, starts_at: at(windows[it.id][0]), ends_at: at(windows[it.id][1]) }));
  return doc;
}

function message(live, at) {
  return live ? { id: live.id, text: live.text, at: at(live.at) } : null;
}

function parallelDoc(index, id, live, at) {
  const other = index.channels.get(id);
  const seg = (ref) => (ref ? other?.segments.get(ref.id)?.seg : undefined);
  const now = seg(live?.now);
  const next = seg(live?.next);
  return {
    channel: id,
    title: other?.channel.title ?? id,
    status: live?.status ?? "before",
    site: live?.site ? (index.sites.get(live.site) ?? null) : null,
    slate: Boolean(live?.slate),
    now: now ? { id: now.id, title: now.title, kind: now.kind, ends_at: at(live.now.e) } : null,
    next: next ? { id: next.id, title: next.title, starts_at: at(live.next.s) } : null,
  };
}

function strapPeople(spec, now) {
  if (spec === undefined || spec === null) return [];
  if (spec === "item") return (now?.item?.people ?? []).map(strapPerson);
  if (spec === "segment") return (now?.people ?? []).map(strapPerson);
  return spec.map(strapPerson);
}

/** One channel of the state document from its live document and the schedule. */
function channelDoc(index, id, live, at) {
  const ref = index.channels.get(id);
  const channel = ref.channel;
  const site = (siteId) => (siteId ? (index.sites.get(siteId) ?? null) : null);
  const nowRef = live.now ? ref.segments.get(live.now.id) : undefined;
  const nextRef = live.next ? ref.segments.get(live.next.id) : undefined;
  const now = nowRef ? nowDoc(nowRef, live.now, at) : null;
  const resumes = live.resumes_item && nowRef ? nowRef.items.get(live.resumes_item) : undefined;
  const strap = live.lower_third ?? { visible: false };
  return {
    id: channel.id,
    title: channel.title,
    subtitle: channel.subtitle,
    short: channel.short,
    status: live.status,
    site: site(live.site),
    site_overridden: live.site_overridden,
    site_override: site(live.site_override),
    held: live.held,
    slate: live.slate ? { text: live.slate.text, since: at(live.slate.since) } : null,
    messages: {
      moderators: message(live.messages?.moderators, at),
      viewers: message(live.messages?.viewers, at),
    },
    delay_seconds: live.delay,
    now,
    next: nextRef ? segmentDoc(nextRef, live.next, at) : null,
    resumes_at: at(live.resumes_at),
    resumes_item: resumes ? itemRef(resumes) : null,
    parallel: nowRef ? (nowRef.seg.parallel ?? []).map((other) => parallelDoc(index, other, live.parallel?.[other], at)) : [],
    rundown: (channel.segments ?? []).map((seg) => {
      const row = live.rundown?.[seg.id] ?? ["planned", null, null];
      // [status] alone: the instants of the segment on air or next
      const same = row.length === 1 ? (row[0] === "on_air" ? live.now : live.next) : null;
      const [s, e] = same ? [same.s, same.e] : [row[1], row[2]];
      return { id: seg.id, status: row[0], starts_at: at(s), ends_at: at(e) };
    }),
    lower_third: {
      visible: strap.visible,
      people: strapPeople(strap.people, now),
      since: at(strap.since),
      until: at(strap.until),
    },
    timer: { flash_until: at(live.timer?.flash_until), blackout: Boolean(live.timer?.blackout) },
  };
}

/**
 * The state document (GET /api/state's shape) of a live document:
 * `live` = {at, instants: {prefix, suffix}, channels: {id: live channel}}, joined with the
 * schedule's index (indexSchedule). Channels unknown to the schedule are left out.
 */
export function joinState(index, live) {
  const at = (short) => fullInstant(live.instants, short);
  const channels = [];
  for (const [id, ref] of index.channels) {
    const channel = live.channels[id];
    if (channel && ref) channels.push(channelDoc(index, id, channel, at));
  }
  return { at: at(live.at), event: index.schedule.event, channels };
}
