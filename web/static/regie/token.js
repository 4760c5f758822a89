// The operator token: from ?token= (then kept in sessionStorage for the tab and removed from
// the address bar) or asked for. Without a valid token the régie is read-only: it says so in
// a red banner and refuses to send anything (the server would refuse too).

import { t } from "../i18n.js";
import { setText } from "../format.js";
import { ask, toast } from "./dialogs.js";
import { $, room } from "./room.js";

const TOKEN_KEY = "control-room.token";

/** The token given in the address (which it leaves at once) or kept for this tab. */
export function takeToken(params) {
  const given = params.get("token");
  if (!given) return sessionStorage.getItem(TOKEN_KEY);
  sessionStorage.setItem(TOKEN_KEY, given);
  params.delete("token");
  const clean = `${location.pathname}${params.toString() ? `?${params}` : ""}${location.hash}`;
  history.replaceState(null, "", clean);
  return given;
}

/** Record and show whether the régie may act: "missing" | "pending" | "ok" | "refused". */
export function setAuth(value) {
  room.auth = value;
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

/** Ask for the token; a given one reconnects the link with it. */
export async function askToken() {
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
  room.link.setToken(given);
}

/** Follow the server's verdict on the token: its welcome, or an "unauthorized" error. */
export function watchAuth(link) {
  link.on("welcome", (w) => {
    if (w.role !== "regie") return; // the greeting before our hello was read
    if (w.authenticated) setAuth("ok");
    else if (!link.token) setAuth("missing");
  });
  link.on("error", (e, { answered = false } = {}) => {
    if (e.detail?.code === "unauthorized") {
      if (link.token) {
        sessionStorage.removeItem(TOKEN_KEY);
        setAuth("refused");
      } else {
        setAuth("missing");
      }
      return;
    }
    if (!answered) toast(t("failed", { error: e.error }), true); // a request reports its own
  });
  $("r-token-button").addEventListener("click", () => askToken());
  $("r-banner-button").addEventListener("click", () => askToken());
}

/** Refuse an action when the régie may not act: say so, and flash the banner. */
export function refuseUnlessOperator() {
  if (room.auth === "ok") return false;
  toast(room.auth === "refused" ? t("token_refused") : t("token_missing"), true);
  const banner = $("r-banner");
  banner.hidden = false;
  banner.animate([{ filter: "brightness(1.6)" }, { filter: "brightness(1)" }], { duration: 500 });
  return true;
}
