// The overlay's name strap: who speaks, drawn so that a name never breaks.
//
// One person: the name, and "function · organisation" on a second line. A panel: the names,
// each one an unbreakable box (white-space: nowrap), wrapping only BETWEEN people; with the
// organisations when they fit in `maxLines` lines, else the names alone, else as many names
// as fit followed by "+ 3". Fitting measures the laid-out boxes, so it runs only while the
// strap is displayed (`fitStrap` again after showing it).

import { el, replaceChildren } from "./format.js";

/** "function · organisation" of a person (empty when it has neither). */
export function roleLine(person) {
  return [person.function, person.organisation].filter(Boolean).join(" · ");
}

/** The boxes of a panel: the first `shown` people (with their organisation), then "+ N". */
function panelNodes(people, shown, withOrg) {
  const nodes = [];
  people.slice(0, shown).forEach((p, i) => {
    if (i > 0) nodes.push(" ");
    const last = i === shown - 1 && shown === people.length;
    nodes.push(
      el(
        "span",
        { className: "strap-person" },
        el("strong", { className: "strap-name", text: p.name }),
        withOrg && p.organisation ? el("span", { className: "strap-org", text: p.organisation }) : null,
        last ? null : el("span", { className: "strap-sep", text: "·", attrs: { "aria-hidden": "true" } }),
      ),
    );
  });
  if (shown < people.length) {
    nodes.push(" ", el("span", { className: "strap-more", text: `+ ${people.length - shown}` }));
  }
  return nodes;
}

/** How many lines the boxes of a panel take (boxes on one line share their top). */
function linesOf(node) {
  const tops = new Set();
  for (const box of node.children) tops.add(box.offsetTop);
  return tops.size;
}

/** Whether the node is laid out (not hidden, nor inside something hidden). */
function displayed(node) {
  return node.getClientRects().length > 0;
}

/**
 * Lay out a panel in at most `maxLines` lines: with the organisations if they fit, else the
 * names alone, else fewer names and "+ N". Returns false when the node is not displayed
 * (nothing can be measured; call it again once shown).
 */
function fitPanel(node, people, maxLines) {
  if (!displayed(node)) {
    replaceChildren(node, panelNodes(people, people.length, false));
    return false;
  }
  const withOrgs = people.some((p) => p.organisation) ? [true, false] : [false];
  for (const withOrg of withOrgs) {
    replaceChildren(node, panelNodes(people, people.length, withOrg));
    if (linesOf(node) <= maxLines) return true;
  }
  for (let shown = people.length - 1; shown >= 1; shown -= 1) {
    replaceChildren(node, panelNodes(people, shown, false));
    if (linesOf(node) <= maxLines) return true;
  }
  return true; // one name and "+ N": each box is capped at the strap's width
}

/**
 * Draw the strap of `people` into `node` ([{name, function, organisation}]). A panel is
 * fitted now if the node is displayed, else when `fitStrap(node)` is called after showing it.
 */
export function drawStrap(node, people, { maxLines = 2 } = {}) {
  const list = Array.isArray(people) ? people : [];
  const key = JSON.stringify([list, maxLines]);
  if (node.dataset.key === key && node.dataset.fitted === "1") return;
  node.dataset.key = key;
  node.dataset.count = String(list.length);
  node._strap = { people: list, maxLines };
  if (list.length === 0) {
    node.dataset.shape = "none";
    node.dataset.fitted = "1";
    replaceChildren(node);
    return;
  }
  if (list.length === 1) {
    const p = list[0];
    const role = roleLine(p);
    node.dataset.shape = "one";
    node.dataset.fitted = "1";
    replaceChildren(
      node,
      el("span", { className: "strap-person" }, el("strong", { className: "strap-name", text: p.name })),
      role ? el("span", { className: "strap-role", text: role }) : null,
    );
    return;
  }
  node.dataset.shape = "panel";
  node.dataset.fitted = fitPanel(node, list, maxLines) ? "1" : "0";
}

/** Fit a panel drawn while hidden, now that it is displayed (nothing to do otherwise). */
export function fitStrap(node) {
  if (node.dataset.fitted !== "0" || !node._strap) return;
  const { people, maxLines } = node._strap;
  node.dataset.fitted = fitPanel(node, people, maxLines) ? "1" : "0";
}
