// The régie's toasts and modal questions.

import { t } from "../i18n.js";
import { el, replaceChildren } from "../format.js";

const $ = (id) => document.getElementById(id);

/** French quotes take narrow no-break spaces inside: « Plénière », whatever the text that
 * was filled in (the shared texts write plain spaces). */
export function frenchSpaces(text) {
  return String(text ?? "")
    .replace(/«[ \u00a0]/g, "«\u202f")
    .replace(/[ \u00a0]»/g, "\u202f»");
}

/** A short note in the corner; an error stays longer. */
export function toast(text, error = false) {
  const node = el("div", { className: error ? "toast error" : "toast", text: frenchSpaces(text) });
  $("r-toasts").append(node);
  setTimeout(() => node.remove(), error ? 7000 : 3500);
}

function fieldInput(f) {
  if (f.type === "textarea") {
    return el("textarea", { name: f.name, value: f.value ?? "", attrs: { maxlength: "500" } });
  }
  if (f.type === "select") {
    return el(
      "select",
      { name: f.name },
      f.options.map((o) => el("option", { value: o.value, text: o.label, selected: o.value === f.value })),
    );
  }
  return el("input", {
    name: f.name,
    type: f.type ?? "text",
    value: f.value ?? "",
    attrs: { autocomplete: "off", ...(f.attrs ?? {}) },
  });
}

/** The form of a question: its inputs by name, its Cancel and OK buttons. */
function buildForm({ title, text, fields, confirmLabel, cancelLabel, danger, hint }) {
  const inputs = new Map();
  const form = el("form", { className: "dlg-body", attrs: { method: "dialog" } });
  form.append(el("h2", { text: frenchSpaces(title) }));
  if (text) form.append(el("p", { text: frenchSpaces(text) }));
  for (const f of fields) {
    const input = fieldInput(f);
    if (f.required) input.required = true;
    inputs.set(f.name, input);
    form.append(el("label", {}, f.label, input));
  }
  if (hint) form.append(el("div", { className: "dlg-hint", text: hint }));
  const cancel = el("button", { className: "btn ghost", type: "button", text: cancelLabel || t("cancel") });
  const ok = el("button", {
    className: danger ? "btn danger" : "btn primary",
    type: "submit",
    value: "ok",
    text: confirmLabel,
  });
  form.append(el("div", { className: "dlg-actions" }, cancel, ok));
  // Enter in a textarea sends (Shift+Enter for a new line): messages are typed in a hurry.
  for (const input of inputs.values()) {
    if (input.tagName !== "TEXTAREA") continue;
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
  }
  return { form, inputs, cancel, ok };
}

/**
 * A modal dialog. fields: [{name, label, type: text|password|number|textarea|select, value,
 * options: [{value, label}], required, attrs}]. cancelLabel: the Cancel button's text (an undo's
 * dialog says « Garder », not a second « Annuler »). Resolves with the values, or null when
 * cancelled.
 */
export function ask({ title, text = "", fields = [], confirmLabel = t("confirm"), cancelLabel = "", danger = false, hint = "" }) {
  const dialog = $("r-dialog");
  return new Promise((resolve) => {
    const { form, inputs, cancel, ok } = buildForm({ title, text, fields, confirmLabel, cancelLabel, danger, hint });
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
    replaceChildren(dialog, form);
    dialog.showModal();
    const first = inputs.values().next().value;
    (first ?? ok).focus();
    if (first && first.select) first.select();
  });
}

/** Ask "Confirmer ?" with this text; true when confirmed. */
export async function confirmAction(text, danger = false) {
  const r = await ask({ title: t("confirm"), text, danger, hint: t("enter_confirm") });
  return r !== null;
}
