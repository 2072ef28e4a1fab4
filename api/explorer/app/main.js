// The explorer: search, expand, follow paths, check, and see records with their provenance.
// What is on the screen is described by ``state``: the operations that drew it (open, expand,
// paths, …), the date, and what was hidden, pinned or grouped. The URL carries that state, so
// a link restores the view, and a new date replays the operations as of that date.
import { Api, ApiError } from "./api.js";
import { lang, setLang, t, translatePage } from "./i18n.js";
import {
  KINDS, LAYOUTS, STATUS_ORDER, STATUS_STYLE, display, edgeId, edgeLabel, isMasked, kindOf,
  layoutOptions, makeGraph, percent,
} from "./graph.js";

const api = new Api();
const $ = (id) => document.getElementById(id);
const EPOCH = Date.UTC(2010, 0, 1);
const DAY = 86_400_000;
const REL_TYPES = [
  "LEGAL_REPRESENTATIVE_OF", "PRINCIPAL_OF", "SHAREHOLDER_OF", "EXECUTIVE_OF",
  "ACTUAL_CONTROLLER_OF", "DIRECTLY_RESPONSIBLE_FOR", "RELEASED_FROM", "BRANCH_OF", "SERVES_IN",
  "HAS_PHONE", "HAS_ADDRESS", "POSSIBLY_SAME_AS",
];

const state = {
  asOf: null, // null: today
  lang: "zh",
  layout: "fcose",
  pageSize: 25,
  filter: [], // relation types to follow; empty: all
  ops: [], // what drew the view, in order
  hidden: [],
  pinned: {},
  groups: [],
};
let cy;
let me = { role: "investigator", operations: [], full_names: true, name: "local" };
const undoStack = [];
const metrics = { last: null, ops: [] };
let busy = 0;
let replaying = 0;
let generation = 0;

// ---------------------------------------------------------------- small helpers

function today() {
  return new Date().toISOString().slice(0, 10);
}

function asOfParam() {
  return state.asOf || undefined;
}

function may(operation) {
  return me.operations.includes(operation);
}

function say(text, error = false) {
  const line = $("status-line");
  line.textContent = text;
  line.classList.toggle("error", error);
}

function explain(err) {
  if (err instanceof ApiError) {
    if (err.code === "purpose_required") {
      $("purpose").focus();
      return t("needPurpose");
    }
    if (err.status === 403) return t("notAllowed");
    return `${err.status} ${err.message}`;
  }
  return String(err && err.message ? err.message : err);
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function download(name, href) {
  const a = el("a", { href, download: name });
  document.body.append(a);
  a.click();
  a.remove();
}

function encodeState() {
  const json = JSON.stringify({
    a: state.asOf, l: state.lang, y: state.layout, s: state.pageSize, f: state.filter,
    o: state.ops, h: state.hidden, p: state.pinned, g: state.groups,
  });
  const bytes = new TextEncoder().encode(json);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function decodeState(text) {
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const json = new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  const v = JSON.parse(json);
  Object.assign(state, {
    asOf: v.a || null, lang: v.l || "zh", layout: v.y || "fcose", pageSize: v.s || 25,
    filter: v.f || [], ops: v.o || [], hidden: v.h || [], pinned: v.p || {}, groups: v.g || [],
  });
}

function writeUrl() {
  history.replaceState(null, "", `#v=${encodeState()}`);
}

// ---------------------------------------------------------------- drawing

function nodeIn(summary, extra = {}) {
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
function putNodes(list, anchor) {
  const centre = anchor && cy.getElementById(anchor).nonempty()
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
        position: { x: centre.x + radius * Math.cos(angle), y: centre.y + radius * Math.sin(angle) },
      });
    }
  }
  if (fresh.length) cy.add(fresh);
  return fresh.length;
}

function putEdges(list) {
  const fresh = [];
  for (const data of list) {
    if (cy.getElementById(data.id).nonempty()) continue;
    if (cy.getElementById(data.source).empty() || cy.getElementById(data.target).empty()) continue;
    fresh.push({ group: "edges", data: { ...data, display: edgeLabel(data) } });
  }
  if (fresh.length) cy.add(fresh);
  applyFilter();
}

function relationEdge(rel, source = rel.source_id, target = rel.target_id) {
  const data = {
    type: rel.type, source, target, key: rel.key || "", ratio: rel.ratio ?? null,
    post: rel.post || null, valid_from: rel.valid_from || null, valid_to: rel.valid_to || null,
  };
  data.id = edgeId(data);
  return data;
}

/** Fill in the kind and status of nodes drawn from answers that do not carry them. */
async function fillStatuses(ids) {
  const wanted = [...new Set(ids)].filter((id) => !isMasked(id) && !String(id).startsWith("masked:"));
  for (let i = 0; i < wanted.length; i += 1000) {
    const page = await api.post("/v1/statuses", { subjects: wanted.slice(i, i + 1000), as_of: asOfParam() });
    putNodes(page.items.map((n) => nodeIn(n)));
  }
}

function relayout({ fresh = false, roots } = {}) {
  const visible = cy.elements().not(".hidden, .filtered");
  if (visible.empty()) return Promise.resolve();
  const options = layoutOptions(state.layout, { fresh, roots });
  return new Promise((resolve) => {
    const layout = visible.layout(options);
    layout.one("layoutstop", () => {
      if (cy.zoom() > 1.4) { cy.zoom(1.4); cy.center(visible); } // a few nodes: not huge
      resolve();
    });
    layout.run();
  });
}

function applyFilter() {
  const keep = new Set(state.filter);
  cy.edges().forEach((e) => {
    const type = e.data("type");
    const derived = type === "EQUITY" || type === "CLUSTER";
    e.toggleClass("filtered", keep.size > 0 && !derived && !keep.has(type));
  });
}

function applyView() {
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
function timeMarks() {
  const days = new Set();
  cy.edges().forEach((e) => {
    for (const d of [e.data("valid_from"), e.data("valid_to")]) if (d) days.add(d);
  });
  $("as-of-marks").replaceChildren(...[...days].sort().map((d) => el("option", {
    value: String(Math.round((Date.parse(d) - EPOCH) / DAY)), label: d,
  })));
}

function counts() {
  const nodes = cy.nodes().not(":parent").not(".hidden").length;
  const edges = cy.edges().not(".filtered").filter((e) => e.visible()).length;
  let text = t("nodes", nodes, edges);
  if (state.hidden.length) text += ` · ${t("hiddenCount", state.hidden.length)}`;
  $("counts").textContent = text;
}

// ---------------------------------------------------------------- operations

/** Run one operation against the API and draw its answer. */
async function apply(op) {
  switch (op.o) {
    case "open": return openEntity(op.id);
    case "expand": return expandEntity(op);
    case "paths": return drawPaths(op);
    case "connect": return drawConnection(op);
    case "equity": return drawEquity(op);
    case "check": return drawCheck(op);
    case "cluster": return drawCluster(op);
    default: return undefined;
  }
}

function snapshot() {
  if (replaying) return; // a half-redrawn view is no state to go back to
  undoStack.push({ elements: cy.elements().jsons(), state: JSON.parse(JSON.stringify(state)) });
  if (undoStack.length > 50) undoStack.shift();
}

/** An operation the analyst asked for: undoable, recorded in the URL, timed. */
async function perform(op, { replaceExpand = false } = {}) {
  snapshot();
  const start = performance.now();
  busy += 1;
  say(t("loading"));
  try {
    const before = cy.nodes().length;
    const answer = await apply(op);
    if (replaceExpand) {
      const known = state.ops.find((o) => o.o === "expand" && o.id === op.id);
      if (known) known.k = op.k;
      else state.ops.push({ o: "expand", id: op.id, k: op.k });
    } else {
      state.ops.push(op);
    }
    const grew = cy.nodes().length - before;
    await relayout({ fresh: before <= 1, roots: op.o === "equity" ? `#${CSS.escape(op.id)}` : undefined });
    applyView();
    writeUrl();
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    metrics.last = { op: op.o, ms: performance.now() - start, added: grew, nodes: cy.nodes().length };
    metrics.ops.push(metrics.last);
    say(answer && answer.message ? answer.message : t("nodes", cy.nodes().length, cy.edges().length));
    return answer;
  } catch (err) {
    undoStack.pop();
    say(t("error", explain(err)), true);
    throw err;
  } finally {
    busy -= 1;
  }
}

async function openEntity(id) {
  const detail = await api.get(`/v1/entities/${encodeURIComponent(id)}`, { as_of: asOfParam(), record_limit: 0 });
  const entity = detail.entity;
  putNodes([nodeIn(entity)]);
  await fillStatuses([entity.id]);
  return { id: entity.id };
}

/** A masked person's node: its pseudonym holds within one answer only, so the node is
 * the pseudonym as seen from the node expanded (one node for 周*'s three roles there). */
function maskedId(centre, pseudonym) {
  return `masked:${centre}:${pseudonym}`;
}

async function expandEntity(op) {
  const want = op.k || state.pageSize;
  const start = op.from || 0;
  let offset = start;
  let page;
  if (cy.getElementById(op.id).empty()) await openEntity(op.id);
  do {
    page = await api.get(`/v1/entities/${encodeURIComponent(op.id)}/expand`, {
      as_of: asOfParam(), limit: Math.min(200, want - offset), offset,
      rel_type: state.filter.length ? state.filter : undefined,
    });
    const nodes = [];
    const edges = [];
    page.items.forEach((item) => {
      const otherId = isMasked(item.node.id) ? maskedId(op.id, `${item.node.id}@${offset}`) : item.node.id;
      nodes.push(nodeIn({ ...item.node, id: otherId }, { eid: isMasked(item.node.id) ? null : item.node.id }));
      const [source, target] = item.direction === "out" ? [op.id, otherId] : [otherId, op.id];
      edges.push(relationEdge(item.relation, source, target));
    });
    putNodes(nodes, op.id);
    putEdges(edges);
    offset = page.offset + page.items.length;
  } while (page.next_offset != null && offset < want);
  const more = page.total - offset;
  putNodes([{ id: op.id, expanded: offset, total: page.total, more, truncated: page.truncated }]);
  op.k = offset;
  return { message: more > 0 ? t("shown", offset, page.total, more) : t("allShown", page.total) };
}

function drawSteps(steps) {
  const edges = [];
  for (const step of steps) {
    for (const rel of [step.relation, ...(step.parallel || [])]) edges.push(relationEdge(rel));
  }
  putEdges(edges);
  return edges;
}

async function drawPaths(op) {
  const answer = await api.get("/v1/paths", {
    source: op.s, target: op.t, max_hops: op.h || 6, as_of: asOfParam(),
    rel_type: state.filter.length ? state.filter : undefined,
  });
  const ids = [];
  for (const path of answer.paths) {
    putNodes(path.nodes.map((n) => nodeIn(n)), op.s);
    ids.push(...path.nodes.map((n) => n.id));
  }
  await fillStatuses(ids);
  cy.elements().removeClass("path");
  for (const path of answer.paths) {
    for (const edge of drawSteps(path.steps)) cy.getElementById(edge.id).addClass("path");
    for (const n of path.nodes) cy.getElementById(n.id).addClass("path");
  }
  showPaths(answer, op);
  return { message: answer.paths.length ? t("pathsFound", answer.paths.length) : t("noPath", op.h || 6) };
}

async function drawConnection(op) {
  const answer = await api.get("/v1/connect", {
    id: op.ids, as_of: asOfParam(), rel_type: state.filter.length ? state.filter : undefined,
  });
  putNodes(answer.nodes.map((n) => nodeIn(n)));
  await fillStatuses(answer.nodes.map((n) => n.id));
  const edges = answer.relations.map((r) => relationEdge(r));
  putEdges(edges);
  cy.elements().removeClass("path");
  for (const e of edges) cy.getElementById(e.id).addClass("path");
  for (const n of answer.nodes) cy.getElementById(n.id).addClass("path");
  const unlinked = answer.unlinked || answer.not_linked || [];
  showConnection(answer, unlinked);
  return { message: t("nodes", answer.nodes.length, answer.relations.length) };
}

async function drawEquity(op) {
  const answer = await api.get(`/v1/entities/${encodeURIComponent(op.id)}/equity`, {
    direction: op.d, as_of: asOfParam(),
  });
  const stakes = new Map(answer.stakes.map((s) => [s.node.id, s.stake]));
  putNodes(Object.values(answer.nodes).map((n) => nodeIn(n, { stake: stakes.get(n.id) ?? undefined })), op.id);
  await fillStatuses(Object.keys(answer.nodes));
  const edges = [];
  for (const chain of answer.chains) {
    const nodes = chain.nodes;
    for (let i = 0; i + 1 < nodes.length; i += 1) {
      const [holder, held] = op.d === "up" ? [nodes[i + 1], nodes[i]] : [nodes[i], nodes[i + 1]];
      edges.push(relationEdge({ type: "SHAREHOLDER_OF", source_id: holder, target_id: held, ratio: chain.ratios[i] }));
    }
  }
  putEdges(edges);
  showEquity(answer, op);
  return { message: `${t(op.d === "up" ? "equityUp" : "equityDown")}: ${answer.stakes.length}` };
}

async function drawCheck(op) {
  const answer = await api.get("/v1/check", { subject: op.id, matter: op.m, as_of: asOfParam() });
  const ids = [op.id];
  for (const reason of answer.reasons) {
    for (const step of reason.path) {
      putNodes([
        { id: step.source_id, eid: step.source_id, name: step.source_name, kind: kindOf(null, step.source_id) },
        { id: step.target_id, eid: step.target_id, name: step.target_name, kind: kindOf(null, step.target_id) },
      ], op.id);
      ids.push(step.source_id, step.target_id);
    }
    const subject = reason.record && reason.record.subject;
    if (subject) {
      putNodes([nodeIn(subject)], op.id);
      ids.push(subject.id);
    }
  }
  await fillStatuses(ids);
  for (const reason of answer.reasons) {
    putEdges(reason.path.map((s) => relationEdge({ ...s, key: "" })));
  }
  markChains(answer.reasons);
  showCheck(answer, op);
  return { message: `${t("verdict")}: ${t(`verdicts.${answer.verdict}`)}` };
}

function chainEdges(reason) {
  let found = cy.collection();
  for (const step of reason.path) {
    found = found.union(
      cy.edges().filter((e) => e.data("type") === step.type && e.data("source") === step.source_id && e.data("target") === step.target_id),
    );
  }
  return found;
}

function markChains(reasons, only = null) {
  cy.elements().removeClass("chain chain-restrict chain-review chain-incentive faded");
  const chosen = only === null ? reasons : [reasons[only]];
  let lit = cy.collection();
  for (const reason of chosen) {
    const edges = chainEdges(reason);
    edges.addClass(`chain-${reason.effect}`);
    lit = lit.union(edges).union(edges.connectedNodes());
    const subject = reason.record && reason.record.subject;
    if (subject) lit = lit.union(cy.getElementById(subject.id).addClass("chain"));
  }
  if (only !== null) cy.elements().not(lit).addClass("faded");
}

async function drawCluster(op) {
  const answer = await api.get(`/v1/clusters/${encodeURIComponent(op.id)}`);
  const cluster = answer.cluster;
  const members = cluster.members || [];
  putNodes(members.map((m) => nodeIn(m, { status: STATUS_ORDER.includes(m.status) ? m.status : undefined })));
  await fillStatuses(members.map((m) => m.id));
  putEdges((cluster.strongest || []).map((s) => ({
    id: `CLUSTER|${s.source_id}|${s.target_id}|${s.evidence}`, type: "CLUSTER",
    source: s.source_id, target: s.target_id, post: s.evidence, weight: s.weight,
  })));
  // how the members hang together: the relations on the shortest paths between them
  const ids = members.map((m) => m.id).slice(0, 20);
  if (ids.length >= 2 && may("get_connection")) {
    const link = await api.get("/v1/connect", { id: ids, max_hops: 2, as_of: asOfParam() });
    putNodes(link.nodes.map((n) => nodeIn(n)));
    await fillStatuses(link.nodes.map((n) => n.id).filter((id) => cy.getElementById(id).data("status") === undefined));
    putEdges(link.relations.map((r) => relationEdge(r)));
  }
  showCluster(cluster);
  return { message: `${cluster.id}: ${members.length}` };
}

/** Redraw every operation as of the current date (the time bar, a shared link). */
async function replay() {
  const mine = ++generation; // a newer date supersedes a redraw still running
  cy.elements().remove();
  busy += 1;
  replaying += 1;
  const start = performance.now();
  try {
    for (const op of state.ops) {
      if (mine !== generation) return;
      try {
        await apply(op);
      } catch (err) {
        say(t("error", explain(err)), true);
      }
    }
    if (mine !== generation) return;
    await relayout({ fresh: true });
    applyView();
    metrics.last = { op: "replay", ms: performance.now() - start, nodes: cy.nodes().length };
    if (!$("status-line").classList.contains("error")) say(t("nodes", cy.nodes().length, cy.edges().length));
  } finally {
    busy -= 1;
    replaying -= 1;
  }
}

// ---------------------------------------------------------------- the side panel

function panel(...children) {
  const box = $("panel");
  box.replaceChildren(...children.flat(Infinity).filter(Boolean));
}

function recordView(view) {
  const r = view.record;
  const title = r.list_name || r.penalty_category || r.licence_name || r.commitment_type || r.case_number || r.kind;
  const valid = r.valid_from || r.valid_to ? `${r.valid_from || ""} ~ ${r.valid_to || ""}`.trim() : "";
  return el("div", { class: `record ${view.in_force ? "in-force" : "not-in-force"}`, "data-record": r.id },
    el("div", {}, el("strong", {}, t(`recordKinds.${r.kind}`)), " ", title, " ",
      el("span", { class: "badge" }, view.in_force ? t("inForce") : t("notInForce"))),
    el("dl", {},
      el("dt", {}, t("authority")), el("dd", {}, r.issuing_authority || "—"),
      el("dt", {}, t("document")), el("dd", {}, r.document_number || "—"),
      el("dt", {}, t("decided")), el("dd", {}, r.decision_date || "—"),
      valid ? [el("dt", {}, t("valid")), el("dd", {}, valid)] : null,
      el("dt", {}, t("status")), el("dd", {}, `${t(`recordStatus.${r.status || "active"}`)}${r.status_since ? ` (${r.status_since})` : ""}`),
      r.legal_basis ? [el("dt", {}, t("basis")), el("dd", {}, r.legal_basis)] : null,
      r.source_file ? [el("dt", {}, t("source")), el("dd", {}, `${r.source_file}${r.source_row ? `:${r.source_row}` : ""}`)] : null,
    ));
}

function pagingBox(node) {
  const d = node.data();
  if (d.total === undefined) return null;
  return el("div", { class: "paging", id: "paging" },
    d.more > 0 ? t("shown", d.expanded, d.total, d.more) : t("allShown", d.total),
    d.more > 0 ? el("button", { id: "panel-more", onclick: () => moreOf(node.id()) }, t("more")) : null);
}

function checkForm(id) {
  if (!may("get_check")) return null;
  const select = el("select", { id: "matter" },
    matters().map((m) => el("option", { value: m }, t(`matters.${m}`))));
  return el("div", { class: "form" },
    el("label", {}, t("matter"), select),
    el("button", { id: "run-check", onclick: () => runCheck(id, select.value) }, t("runCheck")));
}

async function showNode(node) {
  const d = node.data();
  if (d.kind === "group") {
    panel(el("h2", {}, d.name), el("p", {}, `${t("members")}: ${node.children().length}`));
    return;
  }
  const head = [
    el("h2", { id: "panel-title" }, d.name),
    el("p", {}, el("span", { class: "badge", style: `background:${STATUS_STYLE[d.status || "clean"].color === "#ffffff" ? "#888" : STATUS_STYLE[d.status || "clean"].color}` },
      t(`statuses.${d.status || "clean"}`)), " ", t(`kinds.${d.kind}`)),
    pagingBox(node),
  ];
  if (!d.eid) {
    panel(head, el("p", { class: "muted", id: "masked-note" }, t("masked")));
    return;
  }
  panel(head, el("p", { class: "muted" }, t("loading")));
  try {
    const detail = await api.get(`/v1/entities/${encodeURIComponent(d.eid)}`, { as_of: asOfParam(), record_limit: 50 });
    const entity = detail.entity;
    const skip = new Set(["name", "label", "loaded_at", "former_names", "id_hash"]);
    const rows = Object.entries(entity).filter(([k, v]) => !skip.has(k) && v !== null && v !== "" && !(Array.isArray(v) && !v.length));
    panel(head,
      el("h3", {}, t("profile")),
      el("dl", { id: "profile" }, rows.map(([k, v]) => [el("dt", { title: k }, lang() === "zh" ? t(`fields.${k}`) : k), el("dd", {}, Array.isArray(v) ? v.join("、") : String(v))])),
      entity.former_names && entity.former_names.length ? el("p", { class: "muted" }, `曾用名 / former: ${entity.former_names.join("、")}`) : null,
      checkForm(d.eid),
      el("h3", {}, `${t("records")} (${detail.record_total})`),
      detail.records.length ? detail.records.map(recordView) : el("p", { class: "muted" }, t("noRecords")));
  } catch (err) {
    panel(head, el("p", { class: "muted" }, explain(err)));
  }
}

function nodeName(id) {
  const n = cy.getElementById(id);
  return n.nonempty() ? n.data("name") : id;
}

function showPaths(answer, op) {
  panel(el("h2", {}, `${t("paths")}: ${nodeName(op.s)} → ${nodeName(op.t)}`),
    el("p", { id: "paths-found" }, answer.paths.length ? t("pathsFound", answer.paths.length) : t("noPath", op.h || 6)),
    el("ol", { class: "plain", id: "path-list" }, answer.paths.map((p) => el("li", {},
      p.nodes.map((n) => n.name).join(" — "), el("span", { class: "muted" }, ` (${p.hops})`)))),
    answer.hubs_not_followed && answer.hubs_not_followed.length
      ? el("p", { class: "muted" }, `hubs: ${answer.hubs_not_followed.map((h) => h.name).join("、")}`) : null);
}

function showConnection(answer, unlinked) {
  panel(el("h2", {}, t("connect")),
    el("ul", { class: "plain" }, answer.pairs.map((p) => el("li", {}, `${nodeName(p.source_id)} — ${nodeName(p.target_id)}: ${p.hops}`))),
    unlinked.length ? el("p", {}, t("notLinked", unlinked.map((p) => (Array.isArray(p) ? p.map(nodeName).join("—") : nodeName(p.source_id || p))).join("；"))) : null);
}

function showEquity(answer, op) {
  panel(el("h2", {}, `${t(op.d === "up" ? "equityUp" : "equityDown")}: ${answer.subject.name}`),
    el("table", { id: "stakes" }, answer.stakes.map((s) => el("tr", {},
      el("td", {}, s.node.name), el("td", {}, percent(s.stake)), el("td", { class: "muted" }, s.ultimate ? "★" : "")))),
    answer.cycles && answer.cycles.length ? el("p", { class: "muted" }, `cycles: ${answer.cycles.length}`) : null);
}

function showCheck(answer, op) {
  const reasons = answer.reasons.map((r, i) => el("div", {
    class: "reason", "data-effect": r.effect,
    onclick: () => markChains(answer.reasons, i),
  },
  el("div", {}, el("span", { class: `badge verdict-${r.effect}` }, t(`verdicts.${r.effect}`)), " ",
    r.measure ? r.measure.title : (r.note || "")),
  el("dl", {},
    r.measure ? [el("dt", {}, t("measure")), el("dd", {}, `${r.measure.memorandum} ${r.measure.document_number || ""}`)] : null,
    r.measure ? [el("dt", {}, t("basis")), el("dd", {}, r.measure.legal_basis)] : null,
    el("dt", {}, t("record")), el("dd", {}, `${r.record.list_name} · ${r.record.issuing_authority} · ${r.record.document_number || "—"} · ${r.record.decision_date || ""}`),
    el("dt", {}, t("chain")), el("dd", {}, r.path.length
      ? r.path.map((s) => `${s.source_name} —${t(`rels.${s.type}`)}→ ${s.target_name}`).join("；")
      : t(`tiers.${r.tier}`)),
  )));
  panel(el("h2", {}, `${t("check")}: ${nodeName(op.id)} · ${t(`matters.${op.m}`)}`),
    el("p", { id: "verdict" }, `${t("verdict")}: `, el("span", { class: `badge verdict-${answer.verdict}` }, t(`verdicts.${answer.verdict}`)),
      el("span", { class: "muted" }, ` ${answer.receipt || ""}`)),
    el("h3", {}, `${t("reasons")} (${answer.reasons.length})`), reasons,
    answer.ignored && answer.ignored.length ? [el("h3", {}, `${t("ignored")} (${answer.ignored.length})`),
      el("ul", { class: "plain" }, answer.ignored.map((g) => el("li", {}, `${g.record.list_name}: ${g.why}`)))] : null);
}

function showCluster(cluster) {
  panel(el("h2", {}, `${t("clusters")} ${cluster.id}`),
    el("p", {}, `${t("score")}: ${cluster.score}`),
    el("p", {}, cluster.explanation || ""),
    el("h3", {}, t("members")),
    el("ul", { class: "plain" }, (cluster.members || []).map((m) => el("li", {}, `${m.name} (${t(`statuses.${m.status}`)})`))));
}

async function showClusters() {
  try {
    const [list, changes] = await Promise.all([
      api.get("/v1/clusters", { limit: 20 }),
      api.get("/v1/clusters/changes", { since: new Date(Date.now() - 30 * DAY).toISOString().slice(0, 10) }).catch(() => ({ runs: [] })),
    ]);
    panel(el("h2", {}, t("clusters")),
      el("p", { class: "muted" }, `${list.as_of || ""} · ${list.total ?? list.items.length}`),
      el("ol", { class: "plain", id: "cluster-list" }, list.items.map((c) => el("li", {},
        el("a", { href: "#", onclick: (ev) => { ev.preventDefault(); perform({ o: "cluster", id: c.id }); } }, c.id),
        ` ${t("score")} ${c.score} · ${c.members.length}`))),
      el("h3", {}, t("changes")),
      el("ul", { class: "plain" }, changes.runs.flatMap((run) => run.changes.map((ch) => el("li", {},
        `${run.as_of} ${ch.cluster_id} ${t(`changeKinds.${ch.kind}`)} +${ch.added.length} −${ch.removed.length}`)))));
  } catch (err) {
    say(t("error", explain(err)), true);
  }
}

// ---------------------------------------------------------------- tools

function selectedIds() {
  return cy.nodes(":selected").not(":parent").map((n) => n.data("eid")).filter(Boolean);
}

function needSelection(count) {
  const ids = selectedIds();
  if (ids.length < count) {
    say(count === 1 ? t("selectOne") : count === 2 ? t("selectTwo") : t("selectSome"), true);
    return null;
  }
  return ids;
}

function expandOf(id) {
  const node = cy.getElementById(id);
  if (node.nonempty() && node.data("total") !== undefined) return moreOf(id);
  return perform({ o: "expand", id, k: state.pageSize }, { replaceExpand: true })
    .then((answer) => { showNode(cy.getElementById(id)); return answer; });
}

function moreOf(id) {
  const node = cy.getElementById(id);
  const shown = node.data("expanded") || 0;
  if (node.data("more") === 0) return Promise.resolve();
  return perform({ o: "expand", id, from: shown, k: shown + state.pageSize }, { replaceExpand: true })
    .then((answer) => { showNode(cy.getElementById(id)); return answer; });
}

function runCheck(id, matter) {
  return perform({ o: "check", id, m: matter });
}

function matters() {
  return window.__matters || Object.keys({ procurement: 1, bidding: 1, subsidy: 1, licensing: 1, market_entry: 1, financing: 1, honours: 1, public_office: 1, consumption: 1, travel: 1, land: 1 });
}

function pathForm() {
  const ids = selectedIds();
  const from = el("input", { id: "path-from", value: ids[0] || "" });
  const to = el("input", { id: "path-to", value: ids[1] || "" });
  const hops = el("input", { id: "path-hops", type: "number", min: 1, max: 8, value: 6 });
  panel(el("h2", {}, t("paths")),
    el("div", { class: "form" },
      el("label", {}, t("from"), from), el("label", {}, t("to"), to), el("label", {}, "hops", hops),
      el("button", { onclick: () => { const s = selectedIds(); from.value = s[0] || ""; to.value = s[1] || ""; } }, t("useSelected")),
      el("button", { id: "path-find", onclick: () => findPaths(from.value.trim(), to.value.trim(), Number(hops.value) || 6) }, t("find"))));
}

function findPaths(s, target, hops = 6) {
  if (!s || !target) { say(t("selectTwo"), true); return Promise.resolve(); }
  return perform({ o: "paths", s, t: target, h: hops });
}

function hideSelected() {
  const ids = cy.nodes(":selected").map((n) => n.id());
  if (!ids.length) return say(t("selectOne"), true);
  snapshot();
  state.hidden = [...new Set([...state.hidden, ...ids])];
  cy.nodes(":selected").unselect();
  applyView();
  writeUrl();
  return undefined;
}

function showHidden() {
  snapshot();
  state.hidden = [];
  applyView();
  writeUrl();
}

function togglePin() {
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

function groupSelected() {
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

function ungroupSelected() {
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

function undo() {
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
  say(t("nodes", cy.nodes().length, cy.edges().length));
}

function clearView() {
  snapshot();
  cy.elements().remove();
  Object.assign(state, { ops: [], hidden: [], pinned: {}, groups: [] });
  panel();
  writeUrl();
  counts();
}

function exportPng() {
  download("credgraph-view.png", cy.png({ full: true, scale: 2, bg: "#ffffff" }));
}

function viewJson() {
  return {
    as_of: state.asOf || today(),
    url: location.href,
    operations: state.ops,
    nodes: cy.nodes().not(".hidden").map((n) => {
      const d = n.data();
      return { id: d.eid ?? null, name: d.name, kind: d.kind, status: d.status ?? null, parent: d.parent ?? null, position: n.position() };
    }),
    relations: cy.edges().filter((e) => e.visible()).map((e) => {
      const d = e.data();
      return { type: d.type, source: cy.getElementById(d.source).data("eid") ?? null, target: cy.getElementById(d.target).data("eid") ?? null, key: d.key || "", ratio: d.ratio ?? null, post: d.post ?? null, valid_from: d.valid_from ?? null, valid_to: d.valid_to ?? null };
    }),
  };
}

function exportJson() {
  const blob = new Blob([JSON.stringify(viewJson(), null, 2)], { type: "application/json" });
  download("credgraph-view.json", URL.createObjectURL(blob));
}

async function share() {
  writeUrl();
  try {
    await navigator.clipboard.writeText(location.href);
    say(t("copied"));
  } catch {
    say(location.href);
  }
}

// ---------------------------------------------------------------- search

let searchTimer = null;
let suggestions = [];
let active = -1;

function looksLikeUscc(text) {
  return /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(text.toUpperCase());
}

async function suggest(text) {
  const list = $("suggest");
  if (!text) { list.hidden = true; return; }
  if (!may("search")) {
    suggestions = looksLikeUscc(text) ? [{ id: text.toUpperCase(), name: text.toUpperCase(), label: "Enterprise" }] : [];
    renderSuggestions(suggestions.length ? null : t("searchUscc"));
    return;
  }
  try {
    const page = await api.get("/v1/search", { q: text, limit: 8 });
    if ($("search").value.trim() !== text) return; // typed on meanwhile
    suggestions = page.items;
    renderSuggestions(suggestions.length ? null : t("noMatch"));
  } catch (err) {
    suggestions = [];
    renderSuggestions(explain(err));
  }
}

function renderSuggestions(message) {
  const list = $("suggest");
  active = suggestions.length ? 0 : -1;
  list.replaceChildren(...(message ? [el("li", { class: "muted" }, message)] : suggestions.map((s, i) => el("li", {
    role: "option", class: i === active ? "active" : "", "data-id": s.id,
    onmousedown: (ev) => { ev.preventDefault(); choose(i); },
  }, el("span", {}, s.name), el("small", {}, `${t(`kinds.${kindOf(s.label, s.id)}`)} ${s.uscc || ""}`)))));
  list.hidden = false;
}

async function choose(index) {
  const hit = suggestions[index];
  $("suggest").hidden = true;
  if (!hit) return;
  metrics.searchStart = performance.now();
  await perform({ o: "expand", id: hit.id, k: state.pageSize }, { replaceExpand: true });
  metrics.searchToDraw = performance.now() - metrics.searchStart;
  const node = cy.getElementById(hit.id);
  cy.nodes().unselect();
  node.select();
  showNode(node);
}

function wireSearch() {
  const input = $("search");
  input.addEventListener("input", () => {
    clearTimeout(searchTimer);
    const text = input.value.trim();
    searchTimer = setTimeout(() => suggest(text), 180);
  });
  input.addEventListener("keydown", async (ev) => {
    const items = [...$("suggest").querySelectorAll("li[data-id]")];
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      if (!items.length) return;
      active = (active + (ev.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      items.forEach((li, i) => li.classList.toggle("active", i === active));
    } else if (ev.key === "Enter") {
      ev.preventDefault();
      clearTimeout(searchTimer);
      const text = input.value.trim();
      if (!suggestions.length || !items.length) await suggest(text);
      if (suggestions.length) await choose(Math.max(active, 0));
    } else if (ev.key === "Escape") {
      $("suggest").hidden = true;
    }
  });
  input.addEventListener("blur", () => setTimeout(() => { $("suggest").hidden = true; }, 150));
}

// ---------------------------------------------------------------- the time bar

function setAsOf(value, { redraw = true } = {}) {
  const asOf = value && value !== today() ? value : null;
  if (redraw && asOf === state.asOf) return Promise.resolve(); // the same day: nothing to do
  if (redraw) snapshot(); // before the change: undo goes back to the day before
  state.asOf = asOf;
  const shown = state.asOf || today();
  $("as-of").value = shown;
  $("as-of-range").value = String(Math.round((Date.parse(shown) - EPOCH) / DAY));
  if (redraw) {
    writeUrl();
    return replay();
  }
  return Promise.resolve();
}

function wireTimebar() {
  const range = $("as-of-range");
  range.max = String(Math.round((Date.parse(today()) - EPOCH) / DAY));
  let timer = null;
  range.addEventListener("input", () => {
    const value = new Date(EPOCH + Number(range.value) * DAY).toISOString().slice(0, 10);
    $("as-of").value = value;
    clearTimeout(timer);
    timer = setTimeout(() => setAsOf(value), 350);
  });
  $("as-of").addEventListener("change", () => setAsOf($("as-of").value));
  $("today").addEventListener("click", () => setAsOf(null));
}

// ---------------------------------------------------------------- set-up

function legend() {
  const box = $("legend");
  const swatch = (style) => el("span", { class: "sw", style });
  const shapes = { enterprise: "border-radius:3px", social_organization: "clip-path:polygon(25% 0,75% 0,100% 50%,75% 100%,25% 100%,0 50%)", authority: "transform:rotate(45deg) scale(.8)", person: "border-radius:50%", phone: "clip-path:polygon(50% 0,100% 100%,0 100%)", address: "border-radius:2px 8px 8px 2px" };
  const fills = { enterprise: "#5b8ff9", social_organization: "#9270ca", authority: "#6dc8ec", person: "#f6bd16", phone: "#a0a0a0", address: "#a0a0a0" };
  box.replaceChildren(
    el("h4", {}, t("legend")),
    ...KINDS.map((k) => el("div", { "data-kind": k }, swatch(`background:${fills[k]};${shapes[k]}`), t(`kinds.${k}`))),
    ...STATUS_ORDER.map((s) => el("div", { "data-status": s }, swatch(`background:#fff;border:${Math.min(STATUS_STYLE[s].width, 4)}px ${STATUS_STYLE[s].style} ${s === "clean" ? "#999" : STATUS_STYLE[s].color}`), t(`statuses.${s}`))),
  );
}

function filterBox() {
  const box = $("filter");
  box.replaceChildren(...REL_TYPES.map((type) => el("label", {},
    el("input", {
      type: "checkbox", value: type, checked: !state.filter.length || state.filter.includes(type) ? "" : null,
      onchange: () => {
        const checked = [...box.querySelectorAll("input:checked")].map((i) => i.value);
        state.filter = checked.length === REL_TYPES.length ? [] : checked;
        applyFilter();
        counts();
        writeUrl();
      },
    }), t(`rels.${type}`))));
}

function layoutBox() {
  const select = $("layout");
  select.replaceChildren(...LAYOUTS.map((name) => el("option", { value: name }, t(`layouts.${name}`))));
  select.value = state.layout;
}

function retranslate() {
  setLang(state.lang);
  translatePage();
  legend();
  filterBox();
  layoutBox();
  cy.nodes().forEach((n) => n.data("display", n.data("kind") === "group" ? n.data("name") : display(n.data())));
  cy.edges().forEach((e) => e.data("display", edgeLabel(e.data())));
  $("who").textContent = `${t("role")}: ${me.role} · ${me.name}`;
  counts();
  say(t("nodes", cy.nodes().length, cy.edges().length));
  const selected = cy.nodes(":selected");
  if (selected.length === 1) showNode(selected[0]);
}

async function whoami() {
  try {
    me = await api.get("/v1/whoami");
  } catch (err) {
    if (err.status === 401) {
      const key = prompt(t("keyPrompt"), "");
      if (key !== null) {
        api.setKey(key);
        return whoami();
      }
    }
    me = { role: "?", name: "?", operations: [], full_names: false };
  }
  for (const button of document.querySelectorAll("[data-op]")) button.disabled = !may(button.dataset.op);
  $("who").textContent = `${t("role")}: ${me.role} · ${me.name}`;
  return me;
}

async function loadVocabulary() {
  try {
    const spec = await (await fetch("/openapi.json")).json();
    const matter = spec.components && spec.components.schemas && spec.components.schemas.Matter;
    if (matter && matter.enum) window.__matters = matter.enum;
  } catch {
    // the built-in list stays
  }
}

function wire() {
  $("lang-button").addEventListener("click", () => { state.lang = lang() === "zh" ? "en" : "zh"; retranslate(); writeUrl(); });
  $("key-button").addEventListener("click", async () => {
    const key = prompt(t("keyPrompt"), "");
    if (key === null) return;
    api.setKey(key);
    await whoami();
    await replay();
  });
  $("purpose").value = api.purpose;
  $("purpose").addEventListener("change", () => api.setPurpose($("purpose").value));
  $("expand").addEventListener("click", () => { const ids = needSelection(1); if (ids) expandOf(ids[0]); });
  $("more").addEventListener("click", () => { const ids = needSelection(1); if (ids) moreOf(ids[0]); });
  $("hide").addEventListener("click", hideSelected);
  $("show-hidden").addEventListener("click", showHidden);
  $("pin").addEventListener("click", togglePin);
  $("group").addEventListener("click", groupSelected);
  $("ungroup").addEventListener("click", ungroupSelected);
  $("undo").addEventListener("click", undo);
  $("clear").addEventListener("click", clearView);
  $("paths").addEventListener("click", pathForm);
  $("connect").addEventListener("click", () => { const ids = needSelection(2); if (ids) perform({ o: "connect", ids: ids.slice(0, 20) }); });
  $("equity-up").addEventListener("click", () => { const ids = needSelection(1); if (ids) perform({ o: "equity", id: ids[0], d: "up" }); });
  $("equity-down").addEventListener("click", () => { const ids = needSelection(1); if (ids) perform({ o: "equity", id: ids[0], d: "down" }); });
  $("check").addEventListener("click", () => {
    const ids = needSelection(1);
    if (ids) showNode(cy.getElementById(cy.nodes(":selected")[0].id())).then(() => $("matter") && $("matter").focus());
  });
  $("clusters").addEventListener("click", showClusters);
  $("layout").addEventListener("change", () => { state.layout = $("layout").value; writeUrl(); relayout({ fresh: true }); });
  $("page-size").addEventListener("change", () => { state.pageSize = Number($("page-size").value); writeUrl(); });
  $("fit").addEventListener("click", () => cy.fit(undefined, 40));
  $("export-png").addEventListener("click", exportPng);
  $("export-json").addEventListener("click", exportJson);
  $("share").addEventListener("click", share);
  cy.on("tap", "node", (ev) => showNode(ev.target));
  cy.on("dbltap", "node", (ev) => { if (ev.target.data("eid")) expandOf(ev.target.data("eid")); });
  cy.on("dragfree", "node", (ev) => {
    const n = ev.target;
    if (state.pinned[n.id()]) { const p = n.position(); state.pinned[n.id()] = [Math.round(p.x), Math.round(p.y)]; writeUrl(); }
  });
  cy.on("tap", (ev) => { if (ev.target === cy) cy.elements().removeClass("faded"); });
  wireSearch();
  wireTimebar();
}

async function start() {
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get("key")) { // a one-time link from `credgraph demo`: keep the key, drop it from the URL
    api.setKey(hash.get("key"));
    hash.delete("key");
  }
  if (hash.get("v")) {
    try { decodeState(hash.get("v")); } catch { say("bad link", true); }
  }
  if (hash.get("lang")) state.lang = hash.get("lang");
  setLang(state.lang);
  cy = makeGraph($("cy"));
  window.explorer = { cy, state, metrics, api, perform, replay, setAsOf, findPaths, expandOf, moreOf, runCheck, viewJson, get busy() { return busy; }, ready: false };
  translatePage();
  legend();
  filterBox();
  layoutBox();
  $("page-size").value = String(state.pageSize);
  wire();
  await Promise.all([whoami(), loadVocabulary()]);
  setAsOf(state.asOf, { redraw: false });
  if (state.ops.length) await replay();
  writeUrl();
  counts();
  window.explorer.ready = true;
  document.body.dataset.ready = "1";
}

start();
