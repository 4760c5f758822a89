// The régie (/regie): every channel side by side, and every command of the engine.
//
// The operator token comes from ?token= (then kept in sessionStorage and removed from the
// address bar) or is asked for. Without a valid token the régie is read-only: it says so in
// a red banner and refuses to send anything. Query: ?name=Marie labels the commands.

import { applyI18n, otherLangUrl, t } from "./i18n.js";
import { clockBadge, connect, connectionIndicator, everyFrame } from "./client.js";
import {
  clockDuration,
  el,
  hhmm,
  hhmmss,
  longDate,
  ms,
  peopleLine,
  replaceChildren,
  setClass,
  setText,
  signedDuration,
} from "./format.js";

applyI18n();

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const TOKEN_KEY = "control-room.token";
const SELECTED_KEY = "control-room.regie.selected";

// ------------------------------------------------------------------ token

let token = params.get("token");
if (token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  params.delete("token");
  const clean = `${location.pathname}${params.toString() ? `?${params}` : ""}${location.hash}`;
  history.replaceState(null, "", clean);
} else {
  token = sessionStorage.getItem(TOKEN_KEY);
}
const operatorName = (params.get("name") ?? "").slice(0, 80) || "régie";

/** "missing" | "pending" | "ok" | "refused" */
let auth = token ? "pending" : "missing";

const link = connect({ role: "regie", channels: null, token, name: operatorName });
link.name = operatorName;
connectionIndicator(link, $("conn"));
clockBadge(link, $("r-rehearsal"));
$("r-lang").href = otherLangUrl();

function setAuth(value) {
  auth = value;
  const badge = $("r-auth");
  badge.className = value === "ok" ? "badge live" : "badge muted";
  setText(badge, value === "ok" ? t("operator") : t("read_only"));
  const banner = $("r-banner");
  banner.hidden = value === "ok" || value === "pending";
  if (value === "missing") setText($("r-banner-text"), t("token_missing"));
  if (value === "refused") setText($("r-banner-text"), t("token_refused"));
  document.body.classList.toggle("read-only", value !== "ok");
  for (const b of document.querySelectorAll("[data-action]")) b.classList.toggle("locked", value !== "ok");
}

link.on("welcome", (w) => {
  if (w.role !== "regie") return; // the greeting before our hello was read
  if (w.authenticated) setAuth("ok");
  else if (!link.token) setAuth("missing");
});

link.on("error", (e) => {
  if (e.detail?.code === "unauthorized") {
    if (link.token) {
      sessionStorage.removeItem(TOKEN_KEY);
      setAuth("refused");
    } else {
      setAuth("missing");
    }
    return;
  }
  toast(t("failed", { error: e.error }), true);
});

$("r-token-button").addEventListener("click", () => askToken());
$("r-banner-button").addEventListener("click", () => askToken());

async function askToken() {
  const values = await ask({
    title: t("token_prompt"),
    text: t("token_help"),
    fields: [{ name: "token", type: "password", label: t("token_prompt"), value: "", required: true }],
    confirmLabel: t("token_enter"),
  });
  if (!values) return;
  const given = values.token.trim();
  if (!given) return;
  sessionStorage.setItem(TOKEN_KEY, given);
  setAuth("pending");
  link.setToken(given);
}

// ------------------------------------------------------------------ data

let state = null;
let schedule = null;
let journal = [];
let presence = null;
const acks = new Map(); // channel -> {message_id, acks}
const switchers = new Map(); // channel -> status
let selected = sessionStorage.getItem(SELECTED_KEY);
const cards = new Map(); // channel id -> {root, refs}

async function loadSchedule() {
  try {
    const response = await fetch("/api/schedule", { cache: "no-store" });
    if (response.ok) {
      schedule = await response.json();
      drawTimeline();
    }
  } catch {
    // the link's reconnect will try again
  }
}

function sites() {
  if (schedule?.sites) return Array.isArray(schedule.sites) ? schedule.sites : Object.values(schedule.sites);
  const seen = new Map();
  for (const ch of state?.channels ?? []) if (ch.site) seen.set(ch.site.id, ch.site);
  return [...seen.values()];
}

function tz() {
  return state?.event?.timezone ?? "Europe/Paris";
}

function channelTitle(id) {
  return state?.channels?.find((c) => c.id === id)?.title ?? id ?? "";
}

function shortTitle(ch) {
  const title = ch.title ?? ch.id;
  const cut = title.search(/\s[-–—:]\s/);
  return cut > 0 && cut < 40 ? title.slice(0, cut) : title;
}

// ------------------------------------------------------------------ toasts and dialogs

function toast(text, error = false) {
  const node = el("div", { className: error ? "toast error" : "toast", text });
  $("r-toasts").append(node);
  setTimeout(() => node.remove(), error ? 7000 : 3500);
}

/**
 * A modal dialog. fields: [{name, label, type: text|password|number|textarea|select, value,
 * options: [{value, label}], required}]. Resolves with the values, or null when cancelled.
 */
function ask({ title, text = "", fields = [], confirmLabel = t("confirm"), danger = false, hint = "" }) {
  const dialog = $("r-dialog");
  return new Promise((resolve) => {
    const inputs = new Map();
    const form = el("form", { className: "dlg-body", attrs: { method: "dialog" } });
    form.append(el("h2", { text: title }));
    if (text) form.append(el("p", { text }));
    for (const f of fields) {
      let input;
      if (f.type === "textarea") {
        input = el("textarea", { name: f.name, value: f.value ?? "", attrs: { maxlength: "500" } });
      } else if (f.type === "select") {
        input = el(
          "select",
          { name: f.name },
          f.options.map((o) => el("option", { value: o.value, text: o.label, selected: o.value === f.value })),
        );
      } else {
        input = el("input", {
          name: f.name,
          type: f.type ?? "text",
          value: f.value ?? "",
          attrs: { autocomplete: "off", ...(f.attrs ?? {}) },
        });
      }
      if (f.required) input.required = true;
      inputs.set(f.name, input);
      form.append(el("label", {}, f.label, input));
    }
    if (hint) form.append(el("div", { className: "dlg-hint", text: hint }));
    const cancel = el("button", { className: "btn ghost", type: "button", text: t("cancel") });
    const ok = el("button", {
      className: danger ? "btn danger" : "btn primary",
      type: "submit",
      value: "ok",
      text: confirmLabel,
    });
    form.append(el("div", { className: "dlg-actions" }, cancel, ok));
    // Each question is answered by its own events (its form's submit, its Cancel button, the
    // Escape that cancels it), never by whichever "close" event comes: those are queued, and
    // the one of a dialog just closed can arrive while the next question is already open —
    // it must neither cancel that one nor hold back this one's answer.
    let settled = false;
    const settle = (value) => {
      if (settled) return;
      settled = true;
      dialog.removeEventListener("cancel", onCancel);
      dialog.removeEventListener("close", onClose);
      resolve(value);
    };
    const onCancel = () => {
      if (form.isConnected) settle(null);
    };
    const onClose = () => {
      // closed some other way (dialog.close() elsewhere), or replaced by another question
      if (!form.isConnected || !dialog.open) settle(null);
    };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const result = {};
      for (const [name, input] of inputs) result[name] = input.value;
      settle(result);
      dialog.close();
    });
    cancel.addEventListener("click", () => {
      settle(null);
      dialog.close();
    });
    dialog.addEventListener("cancel", onCancel);
    dialog.addEventListener("close", onClose);
    // Enter in a textarea sends (Shift+Enter for a new line): messages are typed in a hurry.
    for (const input of inputs.values()) {
      if (input.tagName === "TEXTAREA") {
        input.addEventListener("keydown", (event) => {
          if (event.key === "Enter" && !event.shiftKey) {
            event.preventDefault();
            form.requestSubmit();
          }
        });
      }
    }
    replaceChildren(dialog, form);
    dialog.showModal();
    const first = inputs.values().next().value;
    (first ?? ok).focus();
    if (first && first.select) first.select();
  });
}

async function confirmAction(text, danger = false) {
  const r = await ask({ title: t("confirm"), text, danger, hint: t("enter_confirm") });
  return r !== null;
}

// ------------------------------------------------------------------ commands

function describe(cmd) {
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
      return `${cmd.audience === "viewers" ? t("message_viewers") : t("message_moderators")} « ${cmd.text} »`;
    case "message_clear":
      return `${cmd.audience === "viewers" ? t("message_viewers") : t("message_moderators")} : ${t("msg_cleared")}`;
    case "reset":
      return t("reset_word");
    default:
      return cmd.type;
  }
}

async function act(command, { confirm = null, danger = false } = {}) {
  if (auth !== "ok") {
    toast(auth === "refused" ? t("token_refused") : t("token_missing"), true);
    const banner = $("r-banner");
    banner.hidden = false;
    banner.animate([{ filter: "brightness(1.6)" }, { filter: "brightness(1)" }], { duration: 500 });
    return false;
  }
  if (confirm && !(await confirmAction(confirm, danger))) return false;
  const where = command.channel ? channelTitle(command.channel) : t("all_channels");
  try {
    const result = await link.command(command);
    if (result.ok) {
      toast(t("done", { what: `${describe(command)} — ${shortTitle({ title: where })}` }));
      return true;
    }
    toast(t("failed", { error: result.error ?? "?" }), true);
  } catch (err) {
    toast(t("failed", { error: err.message }), true);
  }
  return false;
}

async function switcherAction(channel, action) {
  if (auth !== "ok") {
    toast(t("token_missing"), true);
    return;
  }
  const id = link.nextId++;
  if (!link.send({ type: "switcher", id, channel, action })) {
    toast(t("no_link"), true);
    return;
  }
  switcherRequests.set(id, `${t("switcher")} — ${shortTitle({ title: channelTitle(channel) })}`);
}

const switcherRequests = new Map(); // request id -> what it was, for its result

link.on("result", (r) => {
  // Results of switcher requests (commands are awaited in act()).
  const what = switcherRequests.get(r.id);
  if (what === undefined) return;
  switcherRequests.delete(r.id);
  if (r.ok) toast(t("done", { what }));
  else toast(t("failed", { error: r.error ?? "?" }), true);
});

/** The actions of one channel, by name: shared by the buttons and the keyboard. */
const actions = {
  take(ch, { fromKey = false } = {}) {
    const next = ch.next;
    const confirm = fromKey
      ? next
        ? t("confirm_take", { channel: shortTitle(ch), title: next.title })
        : t("confirm_take_end", { channel: shortTitle(ch) })
      : null;
    // Name the segment the operator sees as next: if the automatic cue put it on air a
    // moment before the press reached the server, the take is refused ("already on air")
    // instead of skipping a second segment.
    const command = next ? { type: "take", channel: ch.id, segment: next.id } : { type: "take", channel: ch.id };
    return act(command, { confirm });
  },
  back(ch) {
    return act({ type: "back", channel: ch.id }, { confirm: t("confirm_back", { channel: shortTitle(ch) }) });
  },
  hold(ch) {
    if (!ch.held) return act({ type: "hold", channel: ch.id });
    const end = ch.now ? ms(ch.now.ends_at) : null;
    const past = end !== null && end <= link.clock.showNow();
    return act(
      { type: "release", channel: ch.id },
      { confirm: past ? t("confirm_release", { channel: shortTitle(ch) }) : null },
    );
  },
  extend(ch, minutes) {
    const confirm = minutes < 0 ? t("confirm_shorten", { channel: shortTitle(ch) }) : null;
    return act({ type: "extend", channel: ch.id, minutes }, { confirm });
  },
  async delay(ch) {
    const v = await ask({
      title: `${t("delay")} — ${shortTitle(ch)}`,
      fields: [
        { name: "minutes", type: "number", label: t("delay_minutes"), value: "5", attrs: { min: "-240", max: "240", step: "1" } },
      ],
      confirmLabel: t("confirm"),
    });
    if (!v) return;
    const minutes = Math.trunc(Number(v.minutes));
    if (!minutes) return;
    return act({ type: "delay", channel: ch.id, minutes });
  },
  async slate(ch, { fromKey = false } = {}) {
    if (ch.slate) {
      return act(
        { type: "slate_clear", channel: ch.id },
        { confirm: fromKey ? t("confirm_slate_clear", { channel: shortTitle(ch) }) : null },
      );
    }
    const v = await ask({
      title: `${t("slate_put")} — ${shortTitle(ch)}`,
      fields: [{ name: "text", type: "textarea", label: t("slate_text"), value: t("slate_default"), required: true }],
      confirmLabel: t("slate_up"),
      danger: true,
    });
    if (!v || !v.text.trim()) return;
    return act({ type: "slate", channel: ch.id, text: v.text.trim() });
  },
  async site(ch) {
    if (ch.site_overridden) {
      return act({ type: "site_clear", channel: ch.id }, { confirm: t("confirm_site_clear", { channel: shortTitle(ch) }) });
    }
    const options = sites().map((s) => ({ value: s.id, label: s.venue && s.venue !== s.city ? `${s.city} — ${s.venue}` : s.name }));
    const v = await ask({
      title: `${t("site_fallback")} — ${shortTitle(ch)}`,
      fields: [{ name: "site", type: "select", label: t("fallback_site"), options, value: ch.site?.id }],
      confirmLabel: t("confirm"),
      danger: true,
    });
    if (!v) return;
    return act({ type: "site_override", channel: ch.id, site: v.site });
  },
  async message(ch, audience) {
    const current = ch.messages?.[audience];
    const v = await ask({
      title: `${audience === "viewers" ? t("message_viewers") : t("message_moderators")} — ${shortTitle(ch)}`,
      fields: [{ name: "text", type: "textarea", label: t("message_text"), value: current?.text ?? "", required: true }],
      confirmLabel: t("send"),
      hint: t("message_hint"),
    });
    if (!v || !v.text.trim()) return;
    return act({ type: "message", channel: ch.id, audience, text: v.text.trim() });
  },
  messageClear(ch, audience) {
    return act({ type: "message_clear", channel: ch.id, audience });
  },
  reset(ch) {
    return act({ type: "reset", channel: ch.id }, { confirm: t("confirm_reset", { channel: shortTitle(ch) }), danger: true });
  },
};

$("r-reset-all").addEventListener("click", () =>
  act({ type: "reset", channel: null }, { confirm: t("confirm_reset_all"), danger: true }),
);

// ------------------------------------------------------------------ channel cards

function button(action, label, className = "", extra = {}) {
  return el("button", {
    className: `btn ${className}`,
    type: "button",
    dataset: { action, ...extra },
    text: label,
    title: label,
  });
}

function buildCard(ch, index) {
  const refs = {};
  const r = (name, node) => (refs[name] = node);
  const root = el(
    "article",
    { className: "card", dataset: { channel: ch.id } },
    el(
      "header",
      { className: "card-head", dataset: { select: ch.id } },
      el("span", { className: "card-key", text: String(index + 1) }),
      el(
        "div",
        { className: "card-title" },
        r("name", el("div", { className: "card-name" })),
        el("div", { className: "card-id", text: ch.id }),
      ),
      r("badges", el("div", { className: "card-badges" })),
    ),
    r(
      "siteBox",
      el(
        "div",
        { className: "card-site" },
        r("site", el("div", { className: "site-live" })),
        r("venue", el("div", { className: "site-venue" })),
      ),
    ),
    el(
      "section",
      { className: "card-section now" },
      el("div", { className: "sec-label" }, r("nowLabel", el("span", { text: t("now") })), r("offset", el("span", { className: "offset" }))),
      el(
        "div",
        { className: "now-row" },
        el("div", { className: "now-text" }, r("title", el("div", { className: "now-title" })), r("item", el("div", { className: "now-item" }))),
        r("count", el("div", { className: "countdown num", text: "--:--" })),
      ),
      el("div", { className: "progress" }, r("bar", el("div", { className: "progress-bar" }))),
      el("div", { className: "times num" }, r("planned", el("span")), r("expected", el("span"))),
    ),
    el(
      "section",
      { className: "card-section next" },
      el("div", { className: "sec-label" }, el("span", { text: t("next") })),
      el(
        "div",
        { className: "next-line" },
        r("nextTime", el("span", { className: "next-time num" })),
        r("nextTitle", el("span", { className: "next-title" })),
        r("nextIn", el("span", { className: "next-in num" })),
      ),
    ),
    el(
      "div",
      { className: "controls" },
      r("take", button("take", t("take"), "take span-8")),
      button("back", t("back"), "span-4"),
      r("hold", button("hold", t("hold"), "span-3")),
      button("extend", t("shorten_1"), "span-2", { minutes: "-1" }),
      button("extend", t("extend_1"), "span-2", { minutes: "1" }),
      button("extend", t("extend_5"), "span-2", { minutes: "5" }),
      button("delay", t("delay"), "span-3"),
      r("slate", button("slate", t("slate_put"), "span-6")),
      r("siteBtn", button("site", t("site_fallback"), "span-6")),
      button("message", t("msg_moderators"), "span-6", { audience: "moderators" }),
      button("message", t("msg_viewers"), "span-6", { audience: "viewers" }),
    ),
    r("messages", el("div", { className: "card-section messages" })),
    el(
      "div",
      { className: "meta" },
      r("presence", el("div", { className: "meta-row presence" })),
      r("switcher", el("div", { className: "meta-row switcher" })),
      el("div", { className: "meta-row" }, button("reset", t("reset"), "ghost small danger-text")),
    ),
  );
  root.addEventListener("click", (event) => {
    const target = event.target.closest("[data-action], [data-select], [data-sw]");
    if (!target) return;
    const current = state?.channels?.find((c) => c.id === ch.id);
    if (!current) return;
    if (target.dataset.select !== undefined) {
      select(ch.id);
      return;
    }
    if (target.dataset.sw) {
      target.blur();
      switcherAction(ch.id, target.dataset.sw);
      return;
    }
    select(ch.id);
    // Give the focus back to the page: a later Space is the take shortcut (which asks first),
    // never a second press of the button that happens to have the focus.
    if (target instanceof HTMLElement) target.blur();
    const a = target.dataset.action;
    if (a === "extend") actions.extend(current, Number(target.dataset.minutes));
    else if (a === "message") actions.message(current, target.dataset.audience);
    else if (a === "message-clear") actions.messageClear(current, target.dataset.audience);
    else actions[a]?.(current);
  });
  return { root, refs };
}

function select(id) {
  selected = id;
  sessionStorage.setItem(SELECTED_KEY, id);
  for (const [cid, card] of cards) setClass(card.root, "selected", cid === id);
  for (const label of document.querySelectorAll(".tl-label")) setClass(label, "selected", label.dataset.channel === id);
}

function badge(text, className) {
  return el("span", { className: `badge ${className}`, text });
}

function statusBadge(ch) {
  const isBreak = ch.now && (ch.now.kind === "break" || ch.now.item?.kind === "break");
  if (ch.status === "on_air" && !isBreak) return badge(t("on_air"), "live");
  if (ch.status === "on_air" || ch.status === "gap") return badge(t("break"), "muted");
  if (ch.status === "before") return badge(t("before"), "muted");
  return badge(t("finished"), "muted");
}

function drawMessages(ch, refs) {
  const nodes = [];
  for (const audience of ["moderators", "viewers"]) {
    const msg = ch.messages?.[audience];
    if (!msg) continue;
    let ackLine = null;
    if (audience === "moderators") {
      const a = acks.get(ch.id);
      const names = a && a.message_id === msg.id ? a.acks.map((x) => x.name) : [];
      ackLine = el("div", {
        className: names.length ? "msg-acks acked" : "msg-acks",
        text: names.length ? t("acked_by", { names: [...new Set(names)].join(", ") }) : t("not_acked"),
      });
    } else {
      ackLine = el("div", { className: "msg-acks", text: t("on_overlay") });
    }
    nodes.push(
      el(
        "div",
        { className: "msg", dataset: { audience } },
        el("div", { className: "msg-text" }, el("span", { className: "sec-inline", text: `${audience === "viewers" ? t("to_viewers") : t("to_moderators")} · ` }), msg.text),
        ackLine,
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

function drawPresence(ch, refs) {
  const p = presence?.channels?.[ch.id] ?? {};
  const parts = ["overlay", "timer", "viewer"].map((role) => `${p[role] ?? 0} ${t(`role_${role}`)}`);
  replaceChildren(refs.presence, el("strong", { text: t("presence") }), parts.join(" · "));
}

function drawSwitcher(ch, refs) {
  const s = switchers.get(ch.id);
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

function drawCard(ch, card) {
  const { root, refs } = card;
  const zone = tz();
  setText(refs.name, ch.title);
  refs.name.title = ch.title;
  const isBreak = ch.now && (ch.now.kind === "break" || ch.now.item?.kind === "break");
  setClass(root, "on-air", ch.status === "on_air" && !isBreak);
  setClass(root, "held", ch.held);
  setClass(root, "slated", Boolean(ch.slate));
  const badges = [statusBadge(ch)];
  if (ch.held) badges.push(badge(t("held"), "hold"));
  if (ch.slate) badges.push(badge(t("slate"), "slate"));
  if (ch.site_overridden) badges.push(badge(t("overridden"), "warn"));
  replaceChildren(refs.badges, badges);

  // Site on air.
  const site = ch.site;
  const live = ch.status === "on_air" && site;
  setClass(refs.siteBox, "off", !live);
  if (live) {
    replaceChildren(refs.site, el("span", { className: "live-dot" }), t("live_from", { city: site.city }));
    setText(refs.venue, site.venue && site.venue !== site.city ? site.venue : site.name !== site.city ? site.name : "");
  } else if (ch.status === "on_air" && ch.parallel?.length && ch.parallel.some((p) => p.site)) {
    setClass(refs.siteBox, "off", false);
    const cities = ch.parallel.map((p) => p.site?.city).filter(Boolean).join(" · ");
    replaceChildren(refs.site, el("span", { className: "live-dot" }), t("live_from", { city: cities }));
    setText(refs.venue, ch.now?.subtitle ?? "");
  } else {
    const text = ch.status === "finished" ? t("finished") : ch.status === "before" ? t("before") : t("break");
    replaceChildren(refs.site, text);
    setText(refs.venue, ch.next?.site ? t("next_site", { city: ch.next.site.city }) : "");
  }

  // Now.
  const now = ch.now;
  setText(refs.nowLabel, now ? t("now") : ch.status === "finished" ? t("finished") : t("starts_in_label"));
  setText(refs.title, now ? now.title : ch.status === "finished" ? t("finished") : "—");
  const item = now?.item;
  let itemLine = "";
  if (item && item.title !== now.title) {
    itemLine = `${hhmm(ms(item.starts_at), zone)} ${item.title}`;
    const who = peopleLine(item.people, { max: 2 });
    if (who) itemLine += ` · ${who}`;
  } else if (now) {
    itemLine = peopleLine(now.people, { max: 3 });
  }
  setText(refs.item, itemLine);
  if (now) {
    setText(refs.planned, t("planned", { start: hhmm(ms(now.planned_starts_at), zone), end: hhmm(ms(now.planned_ends_at), zone) }));
    setText(refs.expected, t("expected", { start: hhmm(ms(now.starts_at), zone), end: hhmm(ms(now.ends_at), zone) }));
  } else {
    setText(refs.planned, "");
    setText(refs.expected, "");
  }
  const offset = now ? now.offset_seconds : (ch.next?.offset_seconds ?? ch.delay_seconds ?? 0);
  setText(refs.offset, offset ? signedDuration(offset) : t("on_time"));
  setClass(refs.offset, "late", offset > 0);
  setClass(refs.offset, "early", offset < 0);
  refs.offset.title = offset > 0 ? t("over", { d: signedDuration(offset).slice(1) }) : offset < 0 ? t("under", { d: signedDuration(offset).slice(1) }) : "";

  // Next.
  const next = ch.next;
  setText(refs.nextTime, next ? hhmm(ms(next.starts_at), zone) : "");
  setText(refs.nextTitle, next ? next.title : t("nothing_next"));
  refs.nextTitle.title = next?.title ?? "";

  // Buttons that change with the state.
  setText(refs.hold, ch.held ? t("release") : t("hold"));
  setClass(refs.hold, "on", ch.held);
  setText(refs.slate, ch.slate ? t("slate_clear") : t("slate_put"));
  setClass(refs.slate, "slate-on", Boolean(ch.slate));
  setText(refs.siteBtn, ch.site_overridden ? t("site_clear") : t("site_fallback"));
  setClass(refs.siteBtn, "warn-on", ch.site_overridden);
  refs.take.title = next ? `${t("take")} : ${next.title}` : t("take");

  drawMessages(ch, refs);
  drawPresence(ch, refs);
  drawSwitcher(ch, refs);
  for (const b of root.querySelectorAll("[data-action]")) setClass(b, "locked", auth !== "ok");
}

function frameCard(ch, card, now) {
  const { refs } = card;
  const seg = ch.now;
  let phase = "";
  let text = "--:--";
  let progress = 0;
  if (seg) {
    const start = ms(seg.starts_at);
    const end = ms(seg.ends_at);
    const left = (end - now) / 1000;
    progress = end > start ? (now - start) / (end - start) : 1;
    if (left > 0) {
      text = clockDuration(Math.ceil(left));
      if (left <= (seg.danger_seconds ?? 60)) phase = "danger";
      else if (left <= (seg.warning_seconds ?? 300)) phase = "warning";
    } else {
      text = `+${clockDuration(-left)}`;
      phase = "overtime";
    }
  } else if (ch.next && ch.status !== "finished") {
    const left = (ms(ch.next.starts_at) - now) / 1000;
    text = left > 0 ? clockDuration(Math.ceil(left)) : "00:00";
  }
  setText(refs.count, text);
  for (const p of ["warning", "danger", "overtime"]) {
    setClass(refs.count, p, phase === p);
    setClass(refs.bar, p, phase === p);
  }
  const width = `${Math.max(0, Math.min(1, progress)) * 100}%`;
  if (refs.bar.style.width !== width) refs.bar.style.width = width;
  if (ch.next) {
    const left = (ms(ch.next.starts_at) - now) / 1000;
    setText(refs.nextIn, left > 0 ? t("in_time", { left: clockDuration(Math.ceil(left)) }) : "");
  } else setText(refs.nextIn, "");
}

function drawChannels() {
  const channels = state?.channels ?? [];
  const container = $("r-channels");
  const ids = channels.map((c) => c.id).join("|");
  if (container.dataset.ids !== ids) {
    cards.clear();
    const nodes = channels.map((ch, i) => {
      const card = buildCard(ch, i);
      cards.set(ch.id, card);
      return card.root;
    });
    replaceChildren(container, nodes);
    container.dataset.ids = ids;
    container.style.setProperty("--columns", String(Math.min(4, Math.max(1, channels.length))));
    if (!selected || !cards.has(selected)) selected = channels[0]?.id ?? null;
    select(selected);
  }
  for (const ch of channels) drawCard(ch, cards.get(ch.id));
}

// ------------------------------------------------------------------ timeline strip

let tlRange = null;
const tlRefs = new Map();

function segmentsOf(chId) {
  return schedule?.channels?.find((c) => c.id === chId)?.segments ?? [];
}

function drawTimeline() {
  const box = $("r-timeline");
  if (!state) return;
  const channels = state.channels ?? [];
  // The range: the event's day, from the earliest planned start to the latest end.
  let lo = Infinity;
  let hi = -Infinity;
  for (const ch of channels) {
    for (const s of segmentsOf(ch.id)) {
      lo = Math.min(lo, ms(s.planned_starts_at ?? s.starts_at));
      hi = Math.max(hi, ms(s.planned_ends_at ?? s.ends_at));
    }
    for (const row of ch.rundown ?? []) {
      if (row.ends_at) hi = Math.max(hi, ms(row.ends_at));
    }
  }
  if (!Number.isFinite(lo)) {
    lo = ms(state.event?.starts_at) ?? ms(state.at);
    hi = ms(state.event?.ends_at) ?? lo + 9.5 * 3600e3;
  }
  const hour = 3600e3;
  lo = Math.floor(lo / hour) * hour - 0;
  hi = Math.ceil(hi / hour) * hour;
  tlRange = { lo, hi };
  const pct = (x) => `${((x - lo) / (hi - lo)) * 100}%`;
  const zone = tz();

  const scale = el("div", { className: "tl-scale" });
  for (let h = lo; h <= hi; h += hour) {
    scale.append(el("div", { className: "tl-hour", style: `left:${pct(h)}` }, el("span", { text: hhmm(h, zone) })));
  }
  const nowLine = el("div", { className: "tl-now" });
  scale.append(nowLine);
  tlRefs.clear();
  tlRefs.set("now", nowLine);

  const rows = [];
  for (const ch of channels) {
    const label = el("div", {
      className: `tl-label${ch.id === selected ? " selected" : ""}`,
      dataset: { channel: ch.id },
      text: shortTitle(ch),
      title: ch.title,
      on: { click: () => select(ch.id) },
    });
    const row = el("div", { className: "tl-row", dataset: { channel: ch.id } });
    const rundown = new Map((ch.rundown ?? []).map((r) => [r.id, r]));
    for (const s of segmentsOf(ch.id)) {
      const start = ms(s.planned_starts_at ?? s.starts_at);
      const end = ms(s.planned_ends_at ?? s.ends_at);
      const r = rundown.get(s.id);
      const classes = ["tl-seg", `kind-${s.kind}`];
      if (s.hard) classes.push("hard");
      if (r?.status === "done") classes.push("done");
      if (r?.status === "skipped") classes.push("skipped");
      if (r?.status === "on_air") classes.push("on-air");
      row.append(
        el("div", {
          className: classes.join(" "),
          style: `left:${pct(start)};width:calc(${pct(end)} - ${pct(start)})`,
          title: `${hhmm(start, zone)}–${hhmm(end, zone)} ${s.title}`,
          text: s.title,
        }),
      );
    }
    // Where the segment on air actually stands (expected start and end, after commands).
    if (ch.now) {
      const start = ms(ch.now.starts_at);
      const end = ms(ch.now.ends_at);
      const late = (ch.now.offset_seconds ?? 0) > 0;
      row.append(
        el("div", {
          className: `tl-expected${late ? " late" : ""}`,
          style: `left:${pct(start)};width:calc(${pct(end)} - ${pct(start)})`,
        }),
      );
    }
    const offset = ch.now ? ch.now.offset_seconds : (ch.delay_seconds ?? 0);
    const off = el("div", {
      className: `tl-offset num${offset > 0 ? " late" : offset < 0 ? " early" : ""}`,
      text: offset ? signedDuration(offset) : "±0:00",
    });
    rows.push(label, row, off);
  }
  replaceChildren(box, scale, rows);
}

function frameTimeline(now) {
  const line = tlRefs.get("now");
  if (!line || !tlRange) return;
  const x = (now - tlRange.lo) / (tlRange.hi - tlRange.lo);
  line.hidden = x < 0 || x > 1;
  const left = `${Math.max(0, Math.min(1, x)) * 100}%`;
  if (line.style.left !== left) line.style.left = left;
}

// ------------------------------------------------------------------ journal

function drawJournal(fresh = new Set()) {
  const list = $("r-journal-list");
  if (journal.length === 0) {
    replaceChildren(list, el("li", { className: "empty", text: t("journal_empty") }));
    return;
  }
  const zone = tz();
  const items = [...journal]
    .sort((a, b) => b.seq - a.seq)
    .slice(0, 200)
    .map((e) => {
      const cmd = e.command ?? {};
      return el(
        "li",
        { className: fresh.has(e.seq) ? "fresh" : "", dataset: { seq: String(e.seq) } },
        el("span", { className: "j-seq", text: `#${e.seq}` }),
        el("span", { className: "j-at num", text: hhmmss(ms(e.show ?? e.at), zone) }),
        el("span", { className: "j-channel", text: cmd.channel ? shortTitle({ title: channelTitle(cmd.channel) }) : t("all_channels") }),
        el("span", { className: "j-what", text: describe(cmd) }),
        el("span", { className: "j-by", text: e.who ?? e.by ?? "" }),
      );
    });
  replaceChildren(list, items);
}

link.on("journal", (msg) => {
  const entries = msg.entries ?? [];
  const fresh = new Set();
  if (msg.snapshot) journal = [];
  const known = new Set(journal.map((e) => e.seq));
  for (const e of entries) {
    if (!known.has(e.seq)) {
      journal.push(e);
      if (!msg.snapshot) fresh.add(e.seq);
    }
  }
  drawJournal(fresh);
});

link.on("presence", (msg) => {
  presence = msg;
  for (const ch of state?.channels ?? []) {
    const card = cards.get(ch.id);
    if (card) drawPresence(ch, card.refs);
  }
});

link.on("acks", (msg) => {
  acks.set(msg.channel, { message_id: msg.message_id, acks: msg.acks ?? [] });
  const ch = state?.channels?.find((c) => c.id === msg.channel);
  const card = cards.get(msg.channel);
  if (ch && card) drawMessages(ch, card.refs);
});

link.on("switcher", (msg) => {
  switchers.set(msg.channel, msg.status ?? {});
  const ch = state?.channels?.find((c) => c.id === msg.channel);
  const card = cards.get(msg.channel);
  if (ch && card) drawSwitcher(ch, card.refs);
});

// ------------------------------------------------------------------ state

let scheduleAsked = false;
link.on("state", (s) => {
  state = s;
  setText($("r-event"), s.event?.title ?? "");
  drawChannels();
  drawTimeline();
  if (!scheduleAsked) {
    scheduleAsked = true;
    loadSchedule();
  }
});
link.on("welcome", () => {
  if (scheduleAsked) loadSchedule(); // after a reconnect: the server may have a new schedule
});

everyFrame(() => {
  const now = link.clock.showNow();
  if (state) {
    setText($("r-clock"), hhmmss(now, tz()));
    setText($("r-date"), longDate(now, tz()));
  }
  for (const ch of state?.channels ?? []) {
    const card = cards.get(ch.id);
    if (card) frameCard(ch, card, now);
  }
  frameTimeline(now);
});

// ------------------------------------------------------------------ keyboard

function selectedChannel() {
  return state?.channels?.find((c) => c.id === selected) ?? state?.channels?.[0] ?? null;
}

document.addEventListener("keydown", (event) => {
  // A held key repeats: never a second command, and never a click on the Confirm button
  // that the first press just focused (Space held on "take" would confirm it by itself).
  if (event.repeat) {
    const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(event.target?.tagName);
    if (!typing || event.key === "Enter") event.preventDefault();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (document.querySelector("dialog[open]")) return;
  const tag = event.target?.tagName;
  if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
  const channels = state?.channels ?? [];
  if (/^[1-9]$/.test(event.key)) {
    const ch = channels[Number(event.key) - 1];
    if (ch) select(ch.id);
    event.preventDefault();
    return;
  }
  if (event.key === "?") {
    $("r-help-dialog").showModal();
    event.preventDefault();
    return;
  }
  const ch = selectedChannel();
  if (!ch) return;
  let handled = true;
  switch (event.key) {
    case " ":
      actions.take(ch, { fromKey: true });
      break;
    case "r":
    case "R":
    case "Backspace":
      actions.back(ch);
      break;
    case "h":
    case "H":
      actions.hold(ch);
      break;
    case "+":
    case "=":
      actions.extend(ch, 1);
      break;
    case "ArrowUp":
      actions.extend(ch, event.shiftKey ? 5 : 1);
      break;
    case "-":
    case "ArrowDown":
      actions.extend(ch, -1);
      break;
    case "d":
    case "D":
      actions.delay(ch);
      break;
    case "s":
    case "S":
      actions.slate(ch, { fromKey: true });
      break;
    case "m":
    case "M":
      actions.message(ch, "moderators");
      break;
    case "v":
    case "V":
      actions.message(ch, "viewers");
      break;
    default:
      handled = false;
  }
  if (handled) event.preventDefault();
});

$("r-help").addEventListener("click", () => $("r-help-dialog").showModal());

setAuth(auth);
drawJournal();
if (auth === "missing") askToken();
