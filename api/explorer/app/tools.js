// The tools on the left: expand and page, paths, check, hide, pin, group, undo, clear, export,
// share.
import { $, cy, download, el, say, state, today, undoStack, writeUrl } from "./context.js";
import { filterBox, setAsOf } from "./controls.js";
import { applyView, counts } from "./draw.js";
import { t } from "./i18n.js";
import { markChains, perform, snapshot } from "./operations.js";
import { panel, refreshPanel, showNode, showResult } from "./panel.js";

export function selectedIds() {
  return cy
    .nodes(":selected")
    .not(":parent")
    .map((n) => n.data("eid"))
    .filter(Boolean);
}

export function needSelection(count) {
  const ids = selectedIds();
  if (ids.length < count) {
    say(count === 1 ? t("selectOne") : count === 2 ? t("selectTwo") : t("selectSome"), true);
    return null;
  }
  return ids;
}

let shownReasons = [];

/** An operation the analyst asked for, drawn, and its answer in the panel. */
export async function act(op, options = {}) {
  const result = await perform(op, options);
  if (op.o === "check" && result && result.answer) shownReasons = result.answer.reasons;
  showResult(op, result);
  return result;
}

/** The panel's buttons and links say what they do (data-action); one listener does it. */
export function wirePanel() {
  $("panel").addEventListener("click", (ev) => {
    const target = ev.target.closest("[data-action]");
    if (!target) return;
    ev.preventDefault();
    const { action, id, index } = target.dataset;
    if (action === "more") moreOf(id);
    else if (action === "check") runCheck(id, $("matter").value);
    else if (action === "cluster") act({ o: "cluster", id });
    else if (action === "chain") markChains(shownReasons, Number(index));
  });
}

export function expandOf(id) {
  const node = cy.getElementById(id);
  if (node.nonempty() && node.data("total") !== undefined) return moreOf(id);
  return perform({ o: "expand", id, k: state.pageSize }, { replaceExpand: true }).then((answer) => {
    showNode(cy.getElementById(id));
    return answer;
  });
}

export function moreOf(id) {
  const node = cy.getElementById(id);
  const shown = node.data("expanded") || 0;
  if (node.data("more") === 0) return Promise.resolve();
  return perform(
    { o: "expand", id, from: shown, k: shown + state.pageSize },
    { replaceExpand: true },
  ).then((answer) => {
    showNode(cy.getElementById(id));
    return answer;
  });
}

export function runCheck(id, matter) {
  return act({ o: "check", id, m: matter });
}

export function pathForm() {
  const ids = selectedIds();
  const from = el("input", { id: "path-from", value: ids[0] || "" });
  const to = el("input", { id: "path-to", value: ids[1] || "" });
  const hops = el("input", { id: "path-hops", type: "number", min: 1, max: 8, value: 6 });
  panel(
    el("h2", {}, t("paths")),
    el(
      "div",
      { class: "form" },
      el("label", {}, t("from"), from),
      el("label", {}, t("to"), to),
      el("label", {}, "hops", hops),
      el(
        "button",
        {
          onclick: () => {
            const s = selectedIds();
            from.value = s[0] || "";
            to.value = s[1] || "";
          },
        },
        t("useSelected"),
      ),
      el(
        "button",
        {
          id: "path-find",
          onclick: () => findPaths(from.value.trim(), to.value.trim(), Number(hops.value) || 6),
        },
        t("find"),
      ),
    ),
  );
}

export function findPaths(s, target, hops = 6) {
  if (!s || !target) {
    say(t("selectTwo"), true);
    return Promise.resolve();
  }
  return act({ o: "paths", s, t: target, h: hops });
}

export function hideSelected() {
  const ids = cy.nodes(":selected").map((n) => n.id());
  if (!ids.length) return say(t("selectOne"), true);
  snapshot();
  state.hidden = [...new Set([...state.hidden, ...ids])];
  cy.nodes(":selected").unselect();
  applyView();
  writeUrl();
  return undefined;
}

export function showHidden() {
  snapshot();
  state.hidden = [];
  applyView();
  writeUrl();
}

export function togglePin() {
  const nodes = cy.nodes(":selected");
  if (nodes.empty()) return say(t("selectOne"), true);
  snapshot();
  nodes.forEach((n) => {
    if (state.pinned[n.id()]) {
      delete state.pinned[n.id()];
      n.unlock();
      n.removeClass("pinned");
    } else {
      const p = n.position();
      state.pinned[n.id()] = [Math.round(p.x), Math.round(p.y)];
    }
  });
  applyView();
  writeUrl();
  return undefined;
}

export function groupSelected() {
  const nodes = cy.nodes(":selected").not(":parent");
  if (nodes.length < 1) return say(t("selectOne"), true);
  snapshot();
  const n = state.groups.length + 1;
  const id = `group:${Date.now().toString(36)}`;
  state.groups.push({ id, name: `${t("group")} ${n}`, members: nodes.map((x) => x.id()) });
  applyView();
  writeUrl();
  return undefined;
}

export function ungroupSelected() {
  const parents = cy.nodes(":selected").filter((n) => n.data("kind") === "group");
  if (parents.empty()) return say(t("selectOne"), true);
  snapshot();
  parents.forEach((p) => {
    p.children().move({ parent: null });
    state.groups = state.groups.filter((g) => g.id !== p.id());
    p.remove();
  });
  writeUrl();
  return undefined;
}

export function undo() {
  const last = undoStack.pop();
  if (!last) return;
  cy.elements().remove();
  cy.add(last.elements);
  Object.assign(state, last.state);
  setAsOf(state.asOf, { redraw: false }); // the controls show the state restored
  $("layout").value = state.layout;
  $("page-size").value = String(state.pageSize);
  filterBox();
  cy.nodes().forEach((n) => (state.pinned[n.id()] ? n.lock() : n.unlock()));
  applyView();
  writeUrl();
  refreshPanel();
  say(t("nodes", cy.nodes().length, cy.edges().length));
}

export function clearView() {
  snapshot();
  cy.elements().remove();
  Object.assign(state, { ops: [], hidden: [], pinned: {}, groups: [] });
  panel();
  writeUrl();
  counts();
}

export function exportPng() {
  download("credgraph-view.png", cy.png({ full: true, scale: 2, bg: "#ffffff" }));
}

export function viewJson() {
  return {
    as_of: state.asOf || today(),
    url: location.href,
    operations: state.ops,
    nodes: cy
      .nodes()
      .not(".hidden")
      .map((n) => {
        const d = n.data();
        return {
          id: d.eid ?? null,
          name: d.name,
          kind: d.kind,
          status: d.status ?? null,
          parent: d.parent ?? null,
          position: n.position(),
        };
      }),
    relations: cy
      .edges()
      .filter((e) => e.visible())
      .map((e) => {
        const d = e.data();
        return {
          type: d.type,
          source: cy.getElementById(d.source).data("eid") ?? null,
          target: cy.getElementById(d.target).data("eid") ?? null,
          key: d.key || "",
          ratio: d.ratio ?? null,
          post: d.post ?? null,
          valid_from: d.valid_from ?? null,
          valid_to: d.valid_to ?? null,
        };
      }),
  };
}

export function exportJson() {
  const blob = new Blob([JSON.stringify(viewJson(), null, 2)], { type: "application/json" });
  download("credgraph-view.json", URL.createObjectURL(blob));
}

export async function share() {
  writeUrl();
  try {
    await navigator.clipboard.writeText(location.href);
    say(t("copied"));
  } catch {
    say(location.href);
  }
}
