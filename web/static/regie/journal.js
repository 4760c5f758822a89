// The journal: every command, newest first, with its show time, channel and who gave it;
// each with its « Annuler » (an `undo` of that entry), a voided entry struck through with
// the undo that voided it; and how a command reads, in the journal, the toasts and the
// dialogs.
//
// The server pushes each new entry once. An undo's entry says what it voided (`voids`) and
// gave back (`restores`); the entries it names were pushed earlier, so their `voided_by` is
// brought up to date here from those lists (a snapshot carries it already).

import { t } from "../i18n.js";
import { el, hhmmss, ms, replaceChildren } from "../format.js";
import { $, channelName, room, sites, tz } from "./room.js";

const SHOWN = 200;

/** Why the engine refused the last undo of an entry (seq -> its sentence), shown on the line. */
const refusals = new Map();

/** A text in French quotes, with the narrow no-break spaces they take: « Concluez ». */
export function quoted(text) {
  return `«\u202f${text}\u202f»`;
}

function audienceWord(audience) {
  return audience === "viewers" ? t("message_viewers") : t("message_moderators");
}

/** A signed amount of time of extend/shorten/delay: "+5 min", "−30 s", "+1 min 30 s". */
export function amountText(cmd) {
  const raw = cmd.seconds ?? (cmd.minutes ?? 0) * 60;
  const total = cmd.type === "shorten" ? -Math.abs(raw) : raw;
  const sign = total < 0 ? "−" : "+";
  const a = Math.abs(total);
  const m = Math.floor(a / 60);
  const s = a % 60;
  const parts = [];
  if (m) parts.push(`${m}\u00a0min`);
  if (s || !m) parts.push(`${s}\u00a0s`);
  return `${sign}${parts.join(" ")}`;
}

/** The entry of the journal with this seq (or null). */
function entryOf(seq) {
  return room.journal.find((e) => e.seq === seq) ?? null;
}

/** A command in words: "+5 min", "Carton « … »", "Annulation de #12 (+5 min)". */
export function describe(cmd) {
  switch (cmd.type) {
    case "take":
      return cmd.segment ? `${t("take")} (${cmd.segment})` : t("take");
    case "back":
      return t("back");
    case "hold":
      return t("hold");
    case "release":
      return t("release");
    case "hold_toggle":
      return t("r_hold_toggle_word");
    case "extend":
    case "shorten":
      return amountText(cmd);
    case "delay":
      return `${t("delay_word")} ${amountText(cmd)}`;
    case "slate":
      return `${t("slate")} ${quoted(cmd.text)}`;
    case "slate_toggle":
      return `${t("slate")} ${t("r_toggle_word")}`;
    case "slate_clear":
      return t("slate_clear");
    case "site_override":
      return t("r_fallback_to", { site: sites().find((s) => s.id === cmd.site)?.name ?? cmd.site });
    case "site_clear":
      return t("site_clear");
    case "message":
      return `${audienceWord(cmd.audience)} ${quoted(cmd.text)}`;
    case "message_clear":
      return t("r_msg_cleared_word", { audience: audienceWord(cmd.audience) });
    case "lower_third":
      return t(`r_lower_third_${cmd.action}_word`);
    case "flash":
      return t("r_flash_word", { s: cmd.seconds ?? 10 });
    case "blackout":
      return cmd.on === false ? t("r_blackout_off_word") : cmd.on ? t("r_blackout_on_word") : t("r_blackout_word");
    case "reset":
      return t("reset_word");
    case "undo": {
      const target = entryOf(cmd.seq);
      const what = target ? ` (${describe(target.command ?? {})})` : "";
      return `${t("r_undo_of", { seq: cmd.seq })}${what}`;
    }
    default:
      return cmd.type;
  }
}

/** The channel an entry acts on: an undo acts where the entry it names did. */
export function entryChannel(e) {
  let cmd = e.command ?? {};
  for (let hops = 0; cmd.type === "undo" && hops < 20; hops++) {
    const target = entryOf(cmd.seq);
    if (!target) return undefined; // too old to be known here
    cmd = target.command ?? {};
  }
  return cmd.channel ?? null;
}

/** Where an entry acts, in words: "Plénière", "toutes les chaînes". */
export function whereText(e) {
  const channel = entryChannel(e);
  if (channel === undefined) return "";
  return channel ? channelName(channel) : t("all_channels");
}

function whoOf(seq) {
  const e = entryOf(seq);
  return e ? `#${seq} (${e.who ?? e.by ?? "?"})` : `#${seq}`;
}

/** What an undo line adds: the entries it voided and gave back. */
function undoEffects(e) {
  const parts = [];
  if (e.voids?.length) parts.push(t("r_voids", { seqs: e.voids.map((s) => `#${s}`).join(", ") }));
  if (e.restores?.length) parts.push(t("r_restores", { seqs: e.restores.map((s) => `#${s}`).join(", ") }));
  return parts.join(" · ");
}

function undoButton(e) {
  const isUndo = e.command?.type === "undo";
  const label = isUndo ? t("r_redo") : t("r_undo");
  return el("button", {
    className: "btn small ghost j-undo",
    type: "button",
    dataset: { undo: String(e.seq) },
    text: label,
    title: `${label} #${e.seq}`,
  });
}

function entryItem(e, fresh, zone) {
  const cmd = e.command ?? {};
  const voided = e.voided_by !== null && e.voided_by !== undefined;
  const classes = [fresh.has(e.seq) ? "fresh" : "", voided ? "voided" : "", cmd.type === "undo" ? "is-undo" : ""];
  const notes = [];
  if (voided) notes.push(el("span", { className: "j-note", text: t("r_voided_by", { by: whoOf(e.voided_by) }) }));
  if (cmd.type === "undo") {
    const effects = undoEffects(e);
    if (effects) notes.push(el("span", { className: "j-note", text: effects }));
  }
  const refused = refusals.get(e.seq);
  if (refused) notes.push(el("span", { className: "j-refused", text: t("r_undo_refused", { error: refused }) }));
  return el(
    "li",
    { className: classes.filter(Boolean).join(" "), dataset: { seq: String(e.seq), voided: voided ? "1" : "" } },
    el("span", { className: "j-seq", text: `#${e.seq}` }),
    el("span", { className: "j-at num", text: hhmmss(ms(e.show ?? e.at), zone) }),
    el("span", { className: "j-channel", text: whereText(e) }),
    el("span", { className: "j-what" }, el("span", { className: "j-text", text: describe(cmd) }), notes),
    el("span", { className: "j-by", text: e.who ?? e.by ?? "" }),
    voided ? el("span", { className: "j-undo-none" }) : undoButton(e),
  );
}

/** Draw the journal; the entries in `fresh` (seqs) are highlighted as just arrived. */
export function drawJournal(fresh = new Set()) {
  const list = $("r-journal-list");
  if (room.journal.length === 0) {
    replaceChildren(list, el("li", { className: "empty", text: t("journal_empty") }));
    return;
  }
  const zone = tz();
  const newest = [...room.journal].sort((a, b) => b.seq - a.seq).slice(0, SHOWN);
  replaceChildren(list, newest.map((e) => entryItem(e, fresh, zone)));
}

/** An undo's effect on the entries already known: voided now, or given back. */
function applyUndoEffects(e) {
  for (const seq of e.voids ?? []) {
    const target = entryOf(seq);
    if (target) target.voided_by = e.seq;
    refusals.delete(seq);
  }
  for (const seq of e.restores ?? []) {
    const target = entryOf(seq);
    if (target) target.voided_by = null;
  }
}

/** A "journal" message: the recent entries on connect (snapshot), then each new one. */
export function onJournal(msg) {
  const entries = msg.entries ?? [];
  const fresh = new Set();
  if (msg.snapshot) room.journal = [];
  const known = new Set(room.journal.map((e) => e.seq));
  for (const e of entries) {
    if (known.has(e.seq)) continue;
    room.journal.push({ ...e });
    if (!msg.snapshot) {
      fresh.add(e.seq);
      applyUndoEffects(e);
    }
  }
  drawJournal(fresh);
}

/** Remember (and show on its line) why the engine refused to undo an entry. */
export function noteRefusal(seq, error) {
  refusals.set(seq, error);
  drawJournal();
}

/** The entry of a journal line's « Annuler » button, on click. */
export function watchJournal(onUndo) {
  $("r-journal-list").addEventListener("click", (event) => {
    const button = event.target.closest("[data-undo]");
    if (!button) return;
    button.blur();
    const entry = entryOf(Number(button.dataset.undo));
    if (entry) onUndo(entry);
  });
}
