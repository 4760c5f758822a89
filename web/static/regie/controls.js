// The buttons of a channel's card: the take, the 30-second steps, the toggles (hold, slate,
// lower third) that show the channel's state and send the toggle form, the moderators'
// timer (flash, blackout), the messages and their one-click presets.
//
// Built once per card; drawn on every state (labels, pressed states, what is disabled and
// why) and every frame (the flash, which ends by itself).

import { t } from "../i18n.js";
import { el, ms, replaceChildren, setClass, setText } from "../format.js";
import { actions } from "./actions.js";
import { room } from "./room.js";

/** The extend/shorten steps of a card, in seconds (the keys: see keys.js). */
export const STEPS = [-30, 30, 60, 300];

/** A card button: `data-action` says what a click does (see runControl). */
export function button(action, label, className = "", extra = {}) {
  return el("button", {
    className: `btn ${className}`,
    type: "button",
    dataset: { action, ...extra },
    text: label,
    title: label,
  });
}

function stepLabel(seconds) {
  const sign = seconds < 0 ? "−" : "+";
  const a = Math.abs(seconds);
  return a % 60 === 0 ? `${sign}${a / 60}\u00a0min` : `${sign}${a}\u00a0s`;
}

/** A toggle button: its state is drawn in `data-state` ("on" / "off") and aria-pressed. */
function toggle(action, label, className) {
  const b = button(action, label, `toggle ${className}`);
  b.setAttribute("aria-pressed", "false");
  b.dataset.state = "off";
  return b;
}

/** The card's buttons; `r(name, node)` keeps a reference to the ones drawn later. */
export function buildControls(r) {
  return el(
    "div",
    { className: "controls" },
    r("take", button("take", t("take"), "take span-8")),
    button("back", t("back"), "span-4"),
    // data-minutes too on whole minutes: what scripts and older tests click
    STEPS.map((s) => button("extend", stepLabel(s), "span-2 step", { seconds: String(s), ...(s % 60 ? {} : { minutes: String(s / 60) }) })),
    button("delay", t("delay"), "span-4"),
    r("hold", toggle("hold", t("hold"), "span-4")),
    r("slate", toggle("slate", t("slate_put"), "span-4")),
    r("strap", toggle("lower-third", t("r_strap"), "span-4")),
    r("flash", button("flash", t("r_flash"), "span-4 timer-btn")),
    r("blackout", toggle("blackout", t("r_blackout"), "span-4 timer-btn")),
    r("siteBtn", button("site", t("site_fallback"), "span-4")),
    button("message", t("msg_moderators"), "span-6", { audience: "moderators" }),
    button("message", t("msg_viewers"), "span-6", { audience: "viewers" }),
    r("presets", el("div", { className: "presets span-12" })),
  );
}

function setToggle(b, on, label, title = label) {
  setText(b, label);
  b.title = title;
  setClass(b, "on", on);
  const state = on ? "on" : "off";
  if (b.dataset.state !== state) b.dataset.state = state;
  if (b.getAttribute("aria-pressed") !== String(on)) b.setAttribute("aria-pressed", String(on));
}

/** The event's message presets, one click each (the schedule's `presets`). */
function drawPresets(refs) {
  const presets = room.schedule?.presets ?? room.state?.event?.presets ?? [];
  const key = presets.join("\n");
  if (refs.presets.dataset.key === key) return;
  refs.presets.dataset.key = key;
  refs.presets.hidden = presets.length === 0;
  replaceChildren(
    refs.presets,
    el("span", { className: "presets-label", text: t("r_presets") }),
    presets.map((text) =>
      el("button", {
        className: "btn small preset",
        type: "button",
        dataset: { action: "preset", text },
        text,
        title: t("r_preset_title", { text }),
      }),
    ),
  );
}

/** Labels and states from the channel's state: what each toggle would do, what is disabled. */
export function drawControls(ch, card) {
  const { root, refs } = card;
  const next = ch.next;
  setToggle(refs.hold, Boolean(ch.held), ch.held ? t("release") : t("hold"));
  setToggle(refs.slate, Boolean(ch.slate), ch.slate ? t("slate_clear") : t("slate_put"));
  // Lit while on air; the title says what a click does.
  const strapUp = Boolean(ch.lower_third?.visible);
  setToggle(refs.strap, strapUp, t("r_strap"), strapUp ? t("r_strap_out") : t("r_strap_in"));
  const dark = Boolean(ch.timer?.blackout);
  setToggle(refs.blackout, dark, t("r_blackout"), dark ? t("r_blackout_off") : t("r_blackout_on"));
  setText(refs.siteBtn, ch.site_overridden ? t("site_clear") : t("site_fallback"));
  setClass(refs.siteBtn, "warn-on", ch.site_overridden);
  const finished = ch.status === "finished";
  refs.take.disabled = finished;
  refs.take.title = finished ? t("r_take_finished_title") : next ? `${t("take")} : ${next.title}` : t("take");
  drawPresets(refs);
  for (const b of root.querySelectorAll("[data-action]")) setClass(b, "locked", room.auth !== "ok");
}

/** Every frame: whether the moderators' timer is flashing now (it stops by itself). */
export function frameControls(ch, card, now) {
  const until = ms(ch.timer?.flash_until);
  const flashing = until !== null && until > now;
  setClass(card.refs.flash, "on", flashing);
  const state = flashing ? "on" : "off";
  if (card.refs.flash.dataset.state !== state) card.refs.flash.dataset.state = state;
}

/** A click on one of the card's buttons (`target`, with its data-action). */
export function runControl(ch, target) {
  const a = target.dataset.action;
  if (a === "extend") actions.extend(ch, Number(target.dataset.seconds));
  else if (a === "message") actions.message(ch, target.dataset.audience);
  else if (a === "message-clear") actions.messageClear(ch, target.dataset.audience);
  else if (a === "preset") actions.preset(ch, target.dataset.text);
  else if (a === "lower-third") actions.lowerThird(ch);
  else actions[a]?.(ch);
}
