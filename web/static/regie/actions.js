// The régie's commands: each asks first when it could hurt on air, goes to the server as a
// request over the link, and ends in a toast ("done" or why it failed).

import { t } from "../i18n.js";
import { hhmm, humanDuration, ms } from "../format.js";
import { ask, confirmAction, toast } from "./dialogs.js";
import { amountText, describe, noteRefusal, whereText } from "./journal.js";
import { refuseUnlessOperator } from "./token.js";
import { channelName, nameOf, room, sites, tz } from "./room.js";

/** How long « Faire clignoter » makes the moderators' timer flash. */
export const FLASH_SECONDS = 10;

/** Send a command (after its confirmation, if any); true when the server applied it. */
export async function act(command, { confirm = null, danger = false } = {}) {
  if (refuseUnlessOperator()) return false;
  if (confirm && !(await confirmAction(confirm, danger))) return false;
  const where = command.channel ? channelName(command.channel) : t("all_channels");
  return report(room.link.command(command), `${describe(command)} — ${where}`);
}

/** Forward a button of a channel's video switcher ("resend", "manual", "auto"). */
export function switcherAction(channel, action) {
  if (refuseUnlessOperator()) return Promise.resolve(false);
  return report(room.link.switcher(channel, action), `${t("switcher")} — ${channelName(channel)}`);
}

/** Toast the outcome of a request; true when it succeeded. */
async function report(request, what) {
  try {
    return reported(await request, what);
  } catch (err) {
    toast(t("failed", { error: err.message }), true);
  }
  return false;
}

/** Toast a request's answer; true when it succeeded. */
function reported(result, what) {
  if (result.ok) {
    toast(t("done", { what }));
    return true;
  }
  toast(t("failed", { error: result.error ?? "?" }), true);
  return false;
}

/** Why a take needs confirming (the engine's detail.code "confirm"), in the operator's words. */
function takeQuestion(ch, detail, { anyway = true } = {}) {
  const lines = [];
  if (detail.starts) {
    const s = detail.starts;
    const planned = hhmm(ms(s.planned_starts_at), tz());
    lines.push(t("confirm_take_early", { title: s.title, early: humanDuration(s.early_seconds), planned }));
  }
  if (detail.ends) {
    const e = detail.ends;
    lines.push(
      t("confirm_take_cuts", {
        title: e.title,
        elapsed: humanDuration(e.elapsed_seconds),
        duration: humanDuration(e.duration_seconds),
      }),
    );
  }
  if (anyway) lines.push(t("confirm_take_anyway", { channel: nameOf(ch) }));
  return lines.join(" ");
}

/** A take the engine finds early (or cutting a segment short) is asked again, naming both
 * segments, and sent with confirm: true only once the operator says so. */
async function safeTake(ch, command, what) {
  let result;
  try {
    result = await room.link.command(command);
  } catch (err) {
    toast(t("failed", { error: err.message }), true);
    return false;
  }
  if (!result.ok && result.detail?.code === "confirm") {
    if (!(await confirmAction(takeQuestion(ch, result.detail), true))) return false;
    return report(room.link.command({ ...command, confirm: true }), what);
  }
  return reported(result, what);
}

/** What the operator's own dialog warns of before a keyboard take (the engine's rule, as
 * the régie can see it: it starts the next segment early, or cuts the one on air short);
 * the engine decides, and asks again (safeTake) if it sees more. */
function takeWarnings(ch) {
  const now = room.link.clock.showNow();
  const minutes = room.schedule?.safe_take_minutes ?? 5;
  const detail = {};
  const next = ch.next;
  if (next && ms(next.planned_starts_at) - now > minutes * 60_000) {
    detail.starts = {
      title: next.title,
      planned_starts_at: next.planned_starts_at,
      early_seconds: (ms(next.planned_starts_at) - now) / 1000,
    };
  }
  const cur = ch.now;
  if (cur) {
    const elapsed = (now - ms(cur.starts_at)) / 1000;
    const duration = (ms(cur.ends_at) - ms(cur.starts_at)) / 1000;
    if (elapsed < duration / 2) {
      detail.ends = { title: cur.title, elapsed_seconds: elapsed, duration_seconds: duration };
    }
  }
  return detail.starts || detail.ends ? detail : null;
}

function take(ch, { fromKey = false } = {}) {
  if (ch.status === "finished") {
    toast(t("r_take_finished", { channel: nameOf(ch) }), true); // the engine would refuse it
    return Promise.resolve(false);
  }
  const next = ch.next;
  // Name the segment the operator sees as next: if the automatic cue put it on air a
  // moment before the press reached the server, the take is refused ("already on air")
  // instead of skipping a second segment.
  const command = next ? { type: "take", channel: ch.id, segment: next.id } : { type: "take", channel: ch.id };
  const what = `${describe(command)} — ${channelName(ch.id)}`;
  if (!fromKey) return refuseUnlessOperator() ? Promise.resolve(false) : safeTake(ch, command, what);
  // From the keyboard the régie always asks first; that dialog names what the take would
  // start early or cut short, so its confirmation is the engine's confirm too.
  const warnings = takeWarnings(ch);
  const base = next
    ? t("confirm_take", { channel: nameOf(ch), title: next.title })
    : t("confirm_take_end", { channel: nameOf(ch) });
  const text = warnings ? `${takeQuestion(ch, warnings, { anyway: false })} ${base}` : base;
  return (async () => {
    if (refuseUnlessOperator()) return false;
    if (!(await confirmAction(text, warnings !== null))) return false;
    return safeTake(ch, warnings ? { ...command, confirm: true } : command, what);
  })();
}

/** Hold or release: the toggle form (one Stream Deck key does the same); a release past the
 * segment's end starts the next one at once, so it asks first. */
function hold(ch) {
  const end = ch.now ? ms(ch.now.ends_at) : null;
  const past = ch.held && end !== null && end <= room.link.clock.showNow();
  return act(
    { type: "hold_toggle", channel: ch.id },
    { confirm: past ? t("confirm_release", { channel: nameOf(ch) }) : null },
  );
}

/** Lengthen (seconds > 0) or shorten (< 0) the segment on air: whole minutes are sent as
 * minutes, anything else as seconds (the journal reads "+1 min", "−30 s"). */
function extend(ch, seconds) {
  const a = Math.abs(seconds);
  const amount = a % 60 === 0 ? { minutes: a / 60 } : { seconds: a };
  const command = { type: seconds < 0 ? "shorten" : "extend", channel: ch.id, ...amount };
  const confirm = seconds < 0 ? t("r_confirm_shorten_by", { channel: nameOf(ch), amount: amountText(command).slice(1) }) : null;
  return act(command, { confirm });
}

/** Delay the rest of the channel: minutes in steps of 30 s ("2,5" or "2.5" is 2 min 30 s). */
async function delay(ch) {
  const v = await ask({
    title: `${t("r_dlg_delay")} — ${nameOf(ch)}`,
    fields: [
      { name: "minutes", type: "number", label: t("r_delay_minutes_30"), value: "5", attrs: { min: "-240", max: "240", step: "0.5" } },
    ],
    confirmLabel: t("confirm"),
  });
  if (!v) return;
  const seconds = Math.round((Number(String(v.minutes).replace(",", ".")) * 60) / 30) * 30;
  if (!seconds || !Number.isFinite(seconds)) return;
  const amount = seconds % 60 === 0 ? { minutes: seconds / 60 } : { seconds };
  return act({ type: "delay", channel: ch.id, ...amount });
}

/** The slate, by its toggle form: put up with a text (asked), or cleared (asked first from
 * the keyboard). */
async function slate(ch, { fromKey = false } = {}) {
  if (ch.slate) {
    return act(
      { type: "slate_toggle", channel: ch.id, text: ch.slate.text || t("slate_default") },
      { confirm: fromKey ? t("confirm_slate_clear", { channel: nameOf(ch) }) : null },
    );
  }
  const v = await ask({
    title: `${t("r_dlg_slate")} — ${nameOf(ch)}`,
    fields: [{ name: "text", type: "textarea", label: t("slate_text"), value: t("slate_default"), required: true }],
    confirmLabel: t("slate_up"),
    danger: true,
  });
  if (!v || !v.text.trim()) return;
  return act({ type: "slate_toggle", channel: ch.id, text: v.text.trim() });
}

async function site(ch) {
  if (ch.site_overridden) {
    return act({ type: "site_clear", channel: ch.id }, { confirm: t("confirm_site_clear", { channel: nameOf(ch) }) });
  }
  const options = sites().map((s) => ({ value: s.id, label: s.venue && s.venue !== s.city ? `${s.city} — ${s.venue}` : s.name }));
  const v = await ask({
    title: `${t("r_dlg_site")} — ${nameOf(ch)}`,
    fields: [{ name: "site", type: "select", label: t("fallback_site"), options, value: ch.site?.id }],
    confirmLabel: t("confirm"),
    danger: true,
  });
  if (!v) return;
  return act({ type: "site_override", channel: ch.id, site: v.site });
}

async function message(ch, audience) {
  const current = ch.messages?.[audience];
  const v = await ask({
    title: `${audience === "viewers" ? t("message_viewers") : t("message_moderators")} — ${nameOf(ch)}`,
    fields: [{ name: "text", type: "textarea", label: t("message_text"), value: current?.text ?? "", required: true }],
    confirmLabel: t("send"),
    hint: t("message_hint"),
  });
  if (!v || !v.text.trim()) return;
  return act({ type: "message", channel: ch.id, audience, text: v.text.trim() });
}

/** The actions of one channel, by name: shared by the buttons and the keyboard. */
export const actions = {
  take,
  back: (ch) => act({ type: "back", channel: ch.id }, { confirm: t("confirm_back", { channel: nameOf(ch) }) }),
  hold,
  extend,
  delay,
  lowerThird: (ch) => act({ type: "lower_third", channel: ch.id, action: "toggle" }),
  flash: (ch) => act({ type: "flash", channel: ch.id, seconds: FLASH_SECONDS }),
  blackout: (ch) => act({ type: "blackout", channel: ch.id, on: !ch.timer?.blackout }),
  preset: (ch, text) => act({ type: "message", channel: ch.id, audience: "moderators", text }),
  slate,
  site,
  message,
  messageClear: (ch, audience) => act({ type: "message_clear", channel: ch.id, audience }),
  reset: (ch) => act({ type: "reset", channel: ch.id }, { confirm: t("confirm_reset", { channel: nameOf(ch) }), danger: true }),
};

/** Reset every channel (asks first). */
export function resetAll() {
  return act({ type: "reset", channel: null }, { confirm: t("confirm_reset_all"), danger: true });
}

/** Undo a journal entry (or, for an undo, give back what it voided), after asking: the
 * dialog names the command and its channel (« Annuler : +5 min sur Plénière »). An undo the
 * engine refuses (it would change nothing now: the past already aired) says why, in a toast
 * and on the entry's line. */
export async function undoEntry(entry) {
  if (refuseUnlessOperator()) return false;
  const cmd = entry.command ?? {};
  const redo = cmd.type === "undo";
  const target = redo ? (room.journal.find((e) => e.seq === cmd.seq)?.command ?? cmd) : cmd;
  const where = whereText(entry);
  const what = describe(target);
  const key = redo ? "r_redo_title" : "r_undo_title";
  const title = where ? t(key, { what, where }) : t(`${key}_nowhere`, { what }); // an entry too old to be known here
  const v = await ask({
    title,
    text: t(redo ? "r_redo_text" : "r_undo_text", { seq: redo ? cmd.seq : entry.seq }),
    confirmLabel: redo ? t("r_redo") : t("r_undo_confirm"),
    cancelLabel: t("r_keep"),
    danger: true,
    hint: t("enter_confirm"),
  });
  if (!v) return false;
  let result;
  try {
    result = await room.link.command({ type: "undo", seq: entry.seq });
  } catch (err) {
    toast(t("failed", { error: err.message }), true);
    return false;
  }
  if (!result.ok) {
    noteRefusal(entry.seq, result.error ?? "?");
    toast(t("r_undo_refused", { error: result.error ?? "?" }), true);
    return false;
  }
  toast(t("done", { what: `${title.replace(/\s*:\s*/, " ")}` }));
  return true;
}
