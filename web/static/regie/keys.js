// The régie's keyboard (the help dialog, "?", lists them; docs/screens.md too): 1–9 select a
// channel, the other keys act on the selected one. What could hurt on air asks first
// (Enter / Esc). Minute steps on ↑/↓ (Shift: 5 minutes), 30-second steps on →/←.

import { actions, undoEntry } from "./actions.js";
import { select } from "./cards.js";
import { $, room, selectedChannel } from "./room.js";

/** Key -> what it does to the selected channel. */
const KEYS = {
  " ": (ch) => actions.take(ch, { fromKey: true }),
  r: (ch) => actions.back(ch),
  Backspace: (ch) => actions.back(ch),
  h: (ch) => actions.hold(ch),
  "+": (ch) => actions.extend(ch, 60),
  "=": (ch) => actions.extend(ch, 60),
  ArrowUp: (ch, event) => actions.extend(ch, event.shiftKey ? 300 : 60),
  "-": (ch) => actions.extend(ch, -60),
  ArrowDown: (ch) => actions.extend(ch, -60),
  ArrowRight: (ch) => actions.extend(ch, 30),
  ArrowLeft: (ch) => actions.extend(ch, -30),
  d: (ch) => actions.delay(ch),
  s: (ch) => actions.slate(ch, { fromKey: true }),
  l: (ch) => actions.lowerThird(ch),
  f: (ch) => actions.flash(ch),
  b: (ch) => actions.blackout(ch),
  m: (ch) => actions.message(ch, "moderators"),
  v: (ch) => actions.message(ch, "viewers"),
  u: () => undoNewest(),
};

/** U: undo the newest entry of the journal that still stands (asks first, naming it). */
function undoNewest() {
  const standing = room.journal.filter((e) => e.voided_by === null || e.voided_by === undefined);
  const newest = standing.sort((a, b) => b.seq - a.seq)[0];
  if (newest) undoEntry(newest);
}

const isTyping = (target) => ["INPUT", "TEXTAREA", "SELECT"].includes(target?.tagName);

function showHelp() {
  $("r-help-dialog").showModal();
}

function onKey(event) {
  // A held key repeats: never a second command, and never a click on the Confirm button
  // that the first press just focused (Space held on "take" would confirm it by itself).
  if (event.repeat) {
    if (!isTyping(event.target) || event.key === "Enter") event.preventDefault();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (document.querySelector("dialog[open]")) return;
  if (isTyping(event.target)) return;
  if (/^[1-9]$/.test(event.key)) {
    const ch = room.state?.channels?.[Number(event.key) - 1];
    if (ch) select(ch.id);
    event.preventDefault();
    return;
  }
  if (event.key === "?") {
    showHelp();
    event.preventDefault();
    return;
  }
  const ch = selectedChannel();
  if (!ch) return;
  // Letters in either case (Caps Lock, Shift); the other keys as they are.
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  const action = Object.hasOwn(KEYS, key) ? KEYS[key] : null;
  if (!action) return;
  action(ch, event);
  event.preventDefault();
}

/** Listen to the keyboard, and open the help from its button. */
export function watchKeys() {
  document.addEventListener("keydown", onKey);
  $("r-help").addEventListener("click", showHelp);
}
