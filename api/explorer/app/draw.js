// Drawing answers on the graph: nodes and relations merged in, statuses filled in, layouts,
// and the view's hidden, pinned and grouped nodes and relation filter applied.
import { $, api, asOfParam, cy, DAY, el, EPOCH, state } from "./context.js";
import { display, edgeId, edgeLabel, isMasked, kindOf, layoutOptions } from "./graph.js";
import { t } from "./i18n.js";

export function nodeIn(summary, extra = {}) {
  const data = {
    id: summary.id,
    eid: isMasked(summary.id) ? null : summary.id,
    name: summary.name,
    kind: kindOf(summary.label, summary.id),
    status: summary.status,
    ...extra,
  };
  return data;
}

/** Add or update nodes (data objects); new ones are placed around ``anchor``. */
export function putNodes(list, anchor) {
  const centre =
    anchor && cy.getElementById(anchor).nonempty()
      ? cy.getElementById(anchor).position()
      : { x: cy.width() / 2, y: cy.height() / 2 };
  const fresh = [];
  for (const data of list) {
    const node = cy.getElementById(data.id);
    if (node.nonempty()) {
      const merged = { ...node.data() };
      for (const [k, v] of Object.entries(data)) if (v !== undefined) merged[k] = v;
      merged.display = display(merged);
      node.data(merged);
    } else {
      const angle = Math.random() * 2 * Math.PI;
      const radius = 60 + Math.random() * 60;
      fresh.push({
        group: "nodes",
        data: { status: undefined, ...data, display: display(data) },
        classes: data.eid === null ? "masked" : "",
        position: {
          x: centre.x + radius * Math.cos(angle),
          y: centre.y + radius * Math.sin(angle),
        },
      });
    }
  }
  if (fresh.length) cy.add(fresh);
  return fresh.length;
}

export function putEdges(list) {
  const fresh = [];
  for (const data of list) {
    if (cy.getElementById(data.id).nonempty()) continue;
    if (cy.getElementById(data.source).empty() || cy.getElementById(data.target).empty()) continue;
    fresh.push({ group: "edges", data: { ...data, display: edgeLabel(data) } });
  }
  if (fresh.length) cy.add(fresh);
  applyFilter();
}

export function relationEdge(rel, source = rel.source_id, target = rel.target_id) {
  const data = {
    type: rel.type,
    source,
    target,
    key: rel.key || "",
    ratio: rel.ratio ?? null,
    post: rel.post || null,
    valid_from: rel.valid_from || null,
    valid_to: rel.valid_to || null,
  };
  data.id = edgeId(data);
  return data;
}

/** Fill in the kind and status of nodes drawn from answers that do not carry them. */
export async function fillStatuses(ids) {
  const wanted = [...new Set(ids)].filter(
    (id) => !isMasked(id) && !String(id).startsWith("masked:"),
  );
  for (let i = 0; i < wanted.length; i += 1000) {
    const page = await api.post("/v1/statuses", {
      subjects: wanted.slice(i, i + 1000),
      as_of: asOfParam(),
    });
    putNodes(page.items.map((n) => nodeIn(n)));
  }
}

export function relayout({ fresh = false, roots } = {}) {
  const visible = cy.elements().not(".hidden, .filtered");
  if (visible.empty()) return Promise.resolve();
  const options = layoutOptions(state.layout, { fresh, roots });
  return new Promise((resolve) => {
    const layout = visible.layout(options);
    layout.one("layoutstop", () => {
      if (cy.zoom() > 1.4) {
        cy.zoom(1.4);
        cy.center(visible);
      } // a few nodes: not huge
      resolve();
    });
    layout.run();
  });
}

export function applyFilter() {
  const keep = new Set(state.filter);
  cy.edges().forEach((e) => {
    const type = e.data("type");
    const derived = type === "EQUITY" || type === "CLUSTER";
    e.toggleClass("filtered", keep.size > 0 && !derived && !keep.has(type));
  });
}

export function applyView() {
  const hidden = new Set(state.hidden);
  cy.nodes().forEach((n) => n.toggleClass("hidden", hidden.has(n.id())));
  for (const [id, pos] of Object.entries(state.pinned)) {
    const n = cy.getElementById(id);
    if (n.nonempty()) {
      n.position({ x: pos[0], y: pos[1] });
      n.lock();
      n.addClass("pinned");
    }
  }
  for (const g of state.groups) {
    if (cy.getElementById(g.id).empty()) {
      cy.add({ group: "nodes", data: { id: g.id, name: g.name, kind: "group", display: g.name } });
    }
    for (const id of g.members) {
      const n = cy.getElementById(id);
      if (n.nonempty()) n.move({ parent: g.id });
    }
  }
  applyFilter();
  counts();
  timeMarks();
}

/** Marks on the time bar: the days the drawn relations began or ended. */
export function timeMarks() {
  const days = new Set();
  cy.edges().forEach((e) => {
    for (const d of [e.data("valid_from"), e.data("valid_to")]) if (d) days.add(d);
  });
  $("as-of-marks").replaceChildren(
    ...[...days].sort().map((d) =>
      el("option", {
        value: String(Math.round((Date.parse(d) - EPOCH) / DAY)),
        label: d,
      }),
    ),
  );
}

export function counts() {
  const nodes = cy.nodes().not(":parent").not(".hidden").length;
  const edges = cy
    .edges()
    .not(".filtered")
    .filter((e) => e.visible()).length;
  let text = t("nodes", nodes, edges);
  if (state.hidden.length) text += ` · ${t("hiddenCount", state.hidden.length)}`;
  $("counts").textContent = text;
}
