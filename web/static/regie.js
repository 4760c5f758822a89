// The régie (/regie): every channel side by side, and every command of the engine.
// The entry module: it opens the link and wires the régie's parts to it.
//
//   regie/room.js       what the régie knows (state, schedule, journal, …), shared
//   regie/token.js      logging in (a session cookie); read-only without it
//   regie/dialogs.js    toasts and modal questions
//   regie/actions.js    the commands, confirmed when they could hurt on air
//   regie/cards.js      one card per channel (regie/card-meta.js: messages, screens, switcher;
//                       regie/controls.js: its buttons; regie/notes.js: its private notes)
//   regie/timeline.js   the déroulé strip
//   regie/journal.js    the journal (each line undoable), and how a command reads
//   regie/edits.js      live edits of the schedule: applied, or refused with every problem
//   regie/keys.js       the keyboard
//
// Query: ?name=Marie labels the commands in the journal. The operator logs in once (/login or
// the token dialog): the session cookie, never the token, goes with the link.

import { applyI18n, otherLangUrl } from "./i18n.js";
import { clockBadge, connect, connectionIndicator, everyFrame } from "./client.js";
import { hhmmss, longDate, setText } from "./format.js";
import { followSchedule } from "./schedule.js";
import { resetAll, undoEntry } from "./regie/actions.js";
import { drawMessages, drawPresence, drawSwitcher } from "./regie/card-meta.js";
import { cardOf, drawChannels, frameChannels, onFeeds } from "./regie/cards.js";
import { drawJournal, onJournal, watchJournal } from "./regie/journal.js";
import { onSchedule, watchEdits } from "./regie/edits.js";
import { frameTimeline, drawTimeline } from "./regie/timeline.js";
import { watchKeys } from "./regie/keys.js";
import { setAuth, takeLoginResult, watchAuth } from "./regie/token.js";
import { $, channelOf, room, tz } from "./regie/room.js";

applyI18n();

const params = new URLSearchParams(location.search);
const loginResult = takeLoginResult(params);
const operatorName = (params.get("name") ?? "").slice(0, 80) || "régie";

const link = connect({ role: "regie", channels: null, name: operatorName });
room.link = link;
connectionIndicator(link, $("conn"));
clockBadge(link, $("r-rehearsal"));
$("r-lang").href = otherLangUrl();
watchAuth(link);

/** Redraw one part of a channel's card after a side message about that channel. */
function redrawCard(channelId, draw) {
  const ch = channelOf(channelId);
  const card = cardOf(channelId);
  if (ch && card) draw(ch, card.refs);
}

link.on("state", (s) => {
  const first = room.state === null;
  room.state = s;
  if (first) drawJournal(); // the channels' short names, now known
  setText($("r-event"), s.event?.title ?? "");
  drawChannels();
  drawTimeline();
});
followSchedule(link, (schedule) => {
  room.schedule = schedule;
  drawChannels(); // the message presets come with the schedule
  drawTimeline();
});
link.on("journal", onJournal);
link.on("schedule", onSchedule);
watchEdits();
link.on("presence", (msg) => {
  room.presence = msg;
  for (const ch of room.state?.channels ?? []) redrawCard(ch.id, drawPresence);
});
link.on("acks", (msg) => {
  room.acks.set(msg.channel, { message_id: msg.message_id, acks: msg.acks ?? [] });
  redrawCard(msg.channel, drawMessages);
});
link.on("feeds", onFeeds);
link.on("switcher", (msg) => {
  room.switchers.set(msg.channel, msg.status ?? {});
  redrawCard(msg.channel, drawSwitcher);
});

everyFrame(() => {
  const now = link.clock.showNow();
  if (room.state) {
    setText($("r-clock"), hhmmss(now, tz()));
    setText($("r-date"), longDate(now, tz()));
  }
  frameChannels(now);
  frameTimeline(now);
});

$("r-reset-all").addEventListener("click", () => resetAll());
watchJournal(undoEntry);
watchKeys();

setAuth(loginResult ?? "pending"); // the welcome says whether the session cookie is good
drawJournal();
