// The private notes on a channel's card: the schedule's `notes` of the segment (and item)
// on air and of the next one. The server sends them only to authenticated screens, so they
// appear once the régie's session is good. A collapsible section (<details>, kept open or
// closed across redraws), its height bounded and scrolled, so a long note never pushes the
// card's buttons out of view nor overflows the card.

import { t } from "../i18n.js";
import { el, replaceChildren } from "../format.js";

/** The section, empty and hidden until a note arrives. */
export function buildNotes(r) {
  return r(
    "notes",
    el(
      "details",
      { className: "card-section notes", open: true, hidden: true },
      el("summary", { className: "sec-label", text: t("r_notes") }),
      r("notesBody", el("div", { className: "notes-body" })),
    ),
  );
}

/** The notes of now (its item's too) and next, each under what it belongs to. */
function notesOf(ch) {
  const found = [];
  const now = ch.now;
  if (now?.item?.notes) found.push({ label: t("r_notes_item", { title: now.item.title }), text: now.item.notes });
  if (now?.notes) found.push({ label: t("r_notes_now", { title: now.title }), text: now.notes });
  if (ch.next?.notes) found.push({ label: t("r_notes_next", { title: ch.next.title }), text: ch.next.notes });
  return found;
}

/** Draw the notes (only when they changed: the reader's scroll position stays). */
export function drawNotes(ch, refs) {
  const found = notesOf(ch);
  const key = JSON.stringify(found);
  if (refs.notes.dataset.key === key) return;
  refs.notes.dataset.key = key;
  refs.notes.hidden = found.length === 0;
  replaceChildren(
    refs.notesBody,
    found.map((n) =>
      el("div", { className: "note" }, el("div", { className: "note-what", text: n.label }), el("div", { className: "note-text", text: n.text })),
    ),
  );
}
