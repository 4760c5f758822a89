// What the régie knows, shared by its modules: the link, the last state document, the
// schedule, the journal and the side messages (presence, acknowledgements, switchers).
//
// Only main.js (the link's handlers) and token.js (the authentication) write here; the
// other modules read it when they draw or act.

import { shortTitle } from "../format.js";

export const SELECTED_KEY = "control-room.regie.selected";

export const room = {
  link: null,
  /** "missing" | "pending" | "ok" | "refused" */
  auth: "missing",
  state: null,
  schedule: null,
  journal: [],
  presence: null,
  acks: new Map(), // channel -> {message_id, acks}
  switchers: new Map(), // channel -> status
  selected: sessionStorage.getItem(SELECTED_KEY),
};

export const $ = (id) => document.getElementById(id);

/** The event's time zone. */
export function tz() {
  return room.state?.event?.timezone ?? "Europe/Paris";
}

/** The channel of the state document with this id (or null). */
export function channelOf(id) {
  return room.state?.channels?.find((c) => c.id === id) ?? null;
}

/** A channel's short title ("Atelier 1 · Morlaix"): the schedule's `short`, else its title
 * up to a separator (a title cut at " — " would make two workshops both "Atelier"). */
export function nameOf(channel) {
  return channel.short || shortTitle(channel.title ?? channel.id);
}

/** A channel's short title, by id (the id itself while the channel is not known). */
export function channelName(id) {
  const ch = channelOf(id);
  return ch ? nameOf(ch) : String(id ?? "");
}

/** The sites of the day: the schedule's, or those seen on the channels until it arrives. */
export function sites() {
  const given = room.schedule?.sites;
  if (given) return Array.isArray(given) ? given : Object.values(given);
  const seen = new Map();
  for (const ch of room.state?.channels ?? []) if (ch.site) seen.set(ch.site.id, ch.site);
  return [...seen.values()];
}

/** The channel the keyboard acts on: the selected one, else the first. */
export function selectedChannel() {
  return channelOf(room.selected) ?? room.state?.channels?.[0] ?? null;
}
