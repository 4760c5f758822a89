// Logging in: the régie never holds the operator token. It is given once, to POST /login (the
// token dialog here, or the /login page), and lives on in an HttpOnly session cookie that no
// script can read; the websocket carries that cookie. An old /regie?token=… URL is exchanged
// by the server for the cookie and a clean URL (?login=refused when the token was wrong).
// Without a valid session the régie is read-only: it says so in a red banner and refuses to
// send anything (the server would refuse too).

import { t } from "../i18n.js";
import { setText } from "../format.js";
import { ask, toast } from "./dialogs.js";
import { $, room } from "./room.js";

/** The verdict of a token given in the address, which it leaves at once: "refused" | null. */
export function takeLoginResult(params) {
  const refused = params.get("login") === "refused";
  let changed = params.has("login");
  if (params.has("token")) {
    // Served by an older server: never keep a token in the address or the history.
    params.delete("token");
    changed = true;
  }
  params.delete("login");
  if (changed) {
    const clean = `${location.pathname}${params.toString() ? `?${params}` : ""}${location.hash}`;
    history.replaceState(null, "", clean);
  }
  return refused ? "refused" : null;
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
  const logout = $("r-logout");
  if (logout) logout.hidden = value !== "ok";
}

/** Log in with a token: the server sets the session cookie; the link reconnects with it. */
export async function login(token) {
  let response;
  try {
    response = await fetch("/login", {
      method: "POST",
      headers: { Accept: "application/json" },
      body: new URLSearchParams({ token, next: "/regie" }),
      credentials: "same-origin",
      referrerPolicy: "same-origin", // so that the POST carries its real Origin
    });
  } catch (err) {
    toast(t("failed", { error: String(err) }), true);
    return false;
  }
  if (response.ok) {
    setAuth("pending");
    room.link.reconnectNow();
    return true;
  }
  const body = await response.json().catch(() => ({}));
  if (response.status === 429) toast(body.error ?? "429", true);
  setAuth("refused");
  return false;
}

/** Ask for the token; a given one logs in. */
export async function askToken() {
  const values = await ask({
    title: t("token_prompt"),
    text: t("token_help"),
    fields: [{ name: "token", type: "password", label: t("token_prompt"), value: "", required: true }],
    confirmLabel: t("token_enter"),
  });
  if (!values) return;
  const given = values.token.trim();
  if (given) await login(given);
}

/** Follow the server's verdict on the session: its welcome, or an "unauthorized" error. */
export function watchAuth(link) {
  let asked = false;
  link.on("welcome", (w) => {
    if (w.role !== "regie") return; // the greeting before our hello was read
    if (w.authenticated) {
      setAuth("ok");
      return;
    }
    if (room.auth === "refused") return;
    setAuth("missing");
    if (!asked) {
      asked = true;
      askToken();
    }
  });
  link.on("error", (e, { answered = false } = {}) => {
    if (e.detail?.code === "unauthorized") {
      if (room.auth !== "refused") setAuth("missing");
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
