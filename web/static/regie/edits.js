// Live edits of the schedule, as the régie sees them: a new version on air says so in a
// toast; a refused one (it does not parse, another show, it would orphan journal entries)
// opens a panel listing every problem, and stays until closed or a version is applied.

import { t } from "../i18n.js";
import { el, replaceChildren } from "../format.js";
import { toast } from "./dialogs.js";

const $ = (id) => document.getElementById(id);

/** The `schedule` message (régie only): applied, or refused with its problems. */
export function onSchedule(msg) {
  const panel = $("r-schedule");
  if (msg.ok) {
    panel.hidden = true;
    toast(t("schedule_applied", { version: msg.version ?? "?" }));
    return;
  }
  const lines = [...(msg.problems ?? []), ...(msg.orphans ?? [])];
  replaceChildren($("r-schedule-title"), [
    document.createTextNode(t(`schedule_${msg.outcome}`, { error: msg.error ?? "?" })),
  ]);
  setTextOf("r-schedule-kept", t("schedule_kept"));
  setTextOf("r-schedule-source", t("schedule_from", { source: msg.source ?? "?" }));
  replaceChildren(
    $("r-schedule-list"),
    lines.map((line) => el("li", { text: line })),
  );
  panel.hidden = false;
}

function setTextOf(id, text) {
  $(id).textContent = text;
}

/** Wire the panel's close button. */
export function watchEdits() {
  $("r-schedule-close").addEventListener("click", () => {
    $("r-schedule").hidden = true;
  });
}
