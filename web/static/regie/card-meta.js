// The lower part of a channel card: its messages (and who read them), how many screens
// follow the channel, and its video switcher.

import { t } from "../i18n.js";
import { el, replaceChildren } from "../format.js";
import { room } from "./room.js";

function ackLine(ch, audience, msg) {
  if (audience !== "moderators") return el("div", { className: "msg-acks", text: t("on_overlay") });
  const a = room.acks.get(ch.id);
  const names = a && a.message_id === msg.id ? a.acks.map((x) => x.name) : [];
  return el("div", {
    className: names.length ? "msg-acks acked" : "msg-acks",
    text: names.length ? t("acked_by", { names: [...new Set(names)].join(", ") }) : t("not_acked"),
  });
}

/** The messages up on the channel, each with its Clear button. */
export function drawMessages(ch, refs) {
  const nodes = [];
  for (const audience of ["moderators", "viewers"]) {
    const msg = ch.messages?.[audience];
    if (!msg) continue;
    const to = audience === "viewers" ? t("to_viewers") : t("to_moderators");
    nodes.push(
      el(
        "div",
        { className: "msg", dataset: { audience } },
        el("div", { className: "msg-text" }, el("span", { className: "sec-inline", text: `${to} · ` }), msg.text),
        ackLine(ch, audience, msg),
        el("button", {
          className: "btn small",
          type: "button",
          dataset: { action: "message-clear", audience },
          text: t("msg_clear"),
        }),
      ),
    );
  }
  refs.messages.hidden = nodes.length === 0;
  replaceChildren(refs.messages, nodes);
}

/** How many overlays, timers and viewers follow the channel. */
export function drawPresence(ch, refs) {
  const p = room.presence?.channels?.[ch.id] ?? {};
  const parts = ["overlay", "timer", "viewer"].map((role) => `${p[role] ?? 0} ${t(`role_${role}`)}`);
  replaceChildren(refs.presence, el("strong", { text: t("presence") }), parts.join(" · "));
}

/** The channel's video switcher: connected or not, its scenes, its last error, its buttons. */
export function drawSwitcher(ch, refs) {
  const s = room.switchers.get(ch.id);
  if (!s) {
    replaceChildren(refs.switcher, el("strong", { text: t("switcher") }), el("span", { text: t("switcher_none") }));
    return;
  }
  const dot = s.manual ? "manual" : s.connected && !s.error ? "ok" : "bad";
  const nodes = [
    el("span", { className: `sw-dot ${dot}` }),
    el("strong", { text: t("switcher") }),
    el("span", { text: s.manual ? t("switcher_manual") : s.connected ? t("switcher_connected") : t("switcher_disconnected") }),
  ];
  if (s.program_scene) nodes.push(el("span", { text: `${t("switcher_program")} : ${s.program_scene}` }));
  if (s.preview_scene) nodes.push(el("span", { text: `${t("switcher_preview")} : ${s.preview_scene}` }));
  if (s.error) nodes.push(el("span", { className: "sw-error", text: s.error }));
  nodes.push(
    el("button", { className: "btn small", type: "button", dataset: { sw: "resend" }, text: t("switcher_resend") }),
    el("button", {
      className: s.manual ? "btn small warn-on" : "btn small",
      type: "button",
      dataset: { sw: s.manual ? "auto" : "manual" },
      text: s.manual ? t("switcher_manual_off") : t("switcher_manual_on"),
    }),
  );
  replaceChildren(refs.switcher, nodes);
}
