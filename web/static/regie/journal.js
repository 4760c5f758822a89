// The journal: every command, newest first, with its show time, channel and who gave it;
// and how a command reads, in the journal and in the toasts.

import { t } from "../i18n.js";
import { el, hhmmss, ms, replaceChildren } from "../format.js";
import { $, channelName, room, sites, tz } from "./room.js";

const SHOWN = 200;

function audienceWord(audience) {
  return audience === "viewers" ? t("message_viewers") : t("message_moderators");
}

/** A command in words: "Prolonger +5 min", "Carton « … »". */
export function describe(cmd) {
  const min = (n) => `${n > 0 ? "+" : "−"}${Math.abs(n)} min`;
  switch (cmd.type) {
    case "take":
      return cmd.segment ? `${t("take")} (${cmd.segment})` : t("take");
    case "back":
      return t("back");
    case "hold":
      return t("hold");
    case "release":
      return t("release");
    case "extend":
      return `${t("extend_word")} ${min(cmd.minutes)}`;
    case "delay":
      return `${t("delay_word")} ${min(cmd.minutes)}`;
    case "slate":
      return `${t("slate")} « ${cmd.text} »`;
    case "slate_clear":
      return t("slate_clear");
    case "site_override":
      return `${t("overridden")} : ${sites().find((s) => s.id === cmd.site)?.name ?? cmd.site}`;
    case "site_clear":
      return t("site_clear");
    case "message":
      return `${audienceWord(cmd.audience)} « ${cmd.text} »`;
    case "message_clear":
      return `${audienceWord(cmd.audience)} : ${t("msg_cleared")}`;
    case "reset":
      return t("reset_word");
    default:
      return cmd.type;
  }
}

function entryItem(e, fresh, zone) {
  const cmd = e.command ?? {};
  return el(
    "li",
    { className: fresh.has(e.seq) ? "fresh" : "", dataset: { seq: String(e.seq) } },
    el("span", { className: "j-seq", text: `#${e.seq}` }),
    el("span", { className: "j-at num", text: hhmmss(ms(e.show ?? e.at), zone) }),
    el("span", { className: "j-channel", text: cmd.channel ? channelName(cmd.channel) : t("all_channels") }),
    el("span", { className: "j-what", text: describe(cmd) }),
    el("span", { className: "j-by", text: e.who ?? e.by ?? "" }),
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

/** A "journal" message: the recent entries on connect (snapshot), then each new one. */
export function onJournal(msg) {
  const entries = msg.entries ?? [];
  const fresh = new Set();
  if (msg.snapshot) room.journal = [];
  const known = new Set(room.journal.map((e) => e.seq));
  for (const e of entries) {
    if (known.has(e.seq)) continue;
    room.journal.push(e);
    if (!msg.snapshot) fresh.add(e.seq);
  }
  drawJournal(fresh);
}
