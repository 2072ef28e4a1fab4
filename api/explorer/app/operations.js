// The operations that draw a view (open, expand, paths, connect, equity, check, cluster):
// each asks /v1 and draws the answer; ``perform`` makes one undoable, ``replay`` redraws all
// as of the current date.
import {
  $,
  api,
  asOfParam,
  cy,
  explain,
  may,
  metrics,
  say,
  state,
  undoStack,
  writeUrl,
} from "./context.js";
import {
  applyView,
  fillStatuses,
  nodeIn,
  putEdges,
  putNodes,
  relationEdge,
  relayout,
} from "./draw.js";
import { isMasked, kindOf, STATUS_ORDER } from "./graph.js";
import { t } from "./i18n.js";

export let busy = 0;
let replaying = 0;
let generation = 0;

/** Run one operation against the API and draw its answer. */
export async function apply(op) {
  switch (op.o) {
    case "open":
      return openEntity(op.id);
    case "expand":
      return expandEntity(op);
    case "paths":
      return drawPaths(op);
    case "connect":
      return drawConnection(op);
    case "equity":
      return drawEquity(op);
    case "check":
      return drawCheck(op);
    case "cluster":
      return drawCluster(op);
    default:
      return undefined;
  }
}

export function snapshot() {
  if (replaying) return; // a half-redrawn view is no state to go back to
  undoStack.push({ elements: cy.elements().jsons(), state: JSON.parse(JSON.stringify(state)) });
  if (undoStack.length > 50) undoStack.shift();
}

/** An operation the analyst asked for: undoable, recorded in the URL, timed. */
export async function perform(op, { replaceExpand = false } = {}) {
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
    await relayout({
      fresh: before <= 1,
      roots: op.o === "equity" ? `#${CSS.escape(op.id)}` : undefined,
    });
    applyView();
    writeUrl();
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    metrics.last = {
      op: op.o,
      ms: performance.now() - start,
      added: grew,
      nodes: cy.nodes().length,
    };
    metrics.ops.push(metrics.last);
    say(
      answer && answer.message ? answer.message : t("nodes", cy.nodes().length, cy.edges().length),
    );
    return answer;
  } catch (err) {
    undoStack.pop();
    say(t("error", explain(err)), true);
    throw err;
  } finally {
    busy -= 1;
  }
}

export async function openEntity(id) {
  const detail = await api.get(`/v1/entities/${encodeURIComponent(id)}`, {
    as_of: asOfParam(),
    record_limit: 0,
  });
  const entity = detail.entity;
  putNodes([nodeIn(entity)]);
  await fillStatuses([entity.id]);
  return { id: entity.id };
}

/** A masked person's node: its pseudonym holds within one answer only, so the node is
 * the pseudonym as seen from the node expanded (one node for 周*'s three roles there). */
export function maskedId(centre, pseudonym) {
  return `masked:${centre}:${pseudonym}`;
}

export async function expandEntity(op) {
  const want = op.k || state.pageSize;
  const start = op.from || 0;
  let offset = start;
  let page;
  do {
    page = await api.get(`/v1/entities/${encodeURIComponent(op.id)}/expand`, {
      as_of: asOfParam(),
      limit: Math.min(200, want - offset),
      offset,
      rel_type: state.filter.length ? state.filter : undefined,
    });
    putNodes([nodeIn(page.entity)]); // the entity itself, with its status on the day
    const nodes = [];
    const edges = [];
    page.items.forEach((item) => {
      const otherId = isMasked(item.node.id)
        ? maskedId(op.id, `${item.node.id}@${offset}`)
        : item.node.id;
      nodes.push(
        nodeIn(
          { ...item.node, id: otherId },
          { eid: isMasked(item.node.id) ? null : item.node.id },
        ),
      );
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

export function drawSteps(steps) {
  const edges = [];
  for (const step of steps) {
    for (const rel of [step.relation, ...(step.parallel || [])]) edges.push(relationEdge(rel));
  }
  putEdges(edges);
  return edges;
}

export async function drawPaths(op) {
  const answer = await api.get("/v1/paths", {
    source: op.s,
    target: op.t,
    max_hops: op.h || 6,
    as_of: asOfParam(),
    rel_type: state.filter.length ? state.filter : undefined,
  });
  const ids = [];
  for (const path of answer.paths) {
    putNodes(
      path.nodes.map((n) => nodeIn(n)),
      op.s,
    );
    ids.push(...path.nodes.map((n) => n.id));
  }
  await fillStatuses(ids);
  cy.elements().removeClass("path");
  for (const path of answer.paths) {
    for (const edge of drawSteps(path.steps)) cy.getElementById(edge.id).addClass("path");
    for (const n of path.nodes) cy.getElementById(n.id).addClass("path");
  }
  return {
    answer,
    message: answer.paths.length ? t("pathsFound", answer.paths.length) : t("noPath", op.h || 6),
  };
}

export async function drawConnection(op) {
  const answer = await api.get("/v1/connect", {
    id: op.ids,
    as_of: asOfParam(),
    rel_type: state.filter.length ? state.filter : undefined,
  });
  putNodes(answer.nodes.map((n) => nodeIn(n)));
  await fillStatuses(answer.nodes.map((n) => n.id));
  const edges = answer.relations.map((r) => relationEdge(r));
  putEdges(edges);
  cy.elements().removeClass("path");
  for (const e of edges) cy.getElementById(e.id).addClass("path");
  for (const n of answer.nodes) cy.getElementById(n.id).addClass("path");
  return { answer, message: t("nodes", answer.nodes.length, answer.relations.length) };
}

export async function drawEquity(op) {
  const answer = await api.get(`/v1/entities/${encodeURIComponent(op.id)}/equity`, {
    direction: op.d,
    as_of: asOfParam(),
  });
  const stakes = new Map(answer.stakes.map((s) => [s.node.id, s.stake]));
  putNodes(
    Object.values(answer.nodes).map((n) => nodeIn(n, { stake: stakes.get(n.id) ?? undefined })),
    op.id,
  );
  await fillStatuses(Object.keys(answer.nodes));
  const edges = [];
  for (const chain of answer.chains) {
    const nodes = chain.nodes;
    for (let i = 0; i + 1 < nodes.length; i += 1) {
      const [holder, held] = op.d === "up" ? [nodes[i + 1], nodes[i]] : [nodes[i], nodes[i + 1]];
      edges.push(
        relationEdge({
          type: "SHAREHOLDER_OF",
          source_id: holder,
          target_id: held,
          ratio: chain.ratios[i],
        }),
      );
    }
  }
  putEdges(edges);
  return {
    answer,
    message: `${t(op.d === "up" ? "equityUp" : "equityDown")}: ${answer.stakes.length}`,
  };
}

export async function drawCheck(op) {
  const answer = await api.get("/v1/check", { subject: op.id, matter: op.m, as_of: asOfParam() });
  const ids = [op.id];
  for (const reason of answer.reasons) {
    for (const step of reason.path) {
      putNodes(
        [
          {
            id: step.source_id,
            eid: step.source_id,
            name: step.source_name,
            kind: kindOf(null, step.source_id),
          },
          {
            id: step.target_id,
            eid: step.target_id,
            name: step.target_name,
            kind: kindOf(null, step.target_id),
          },
        ],
        op.id,
      );
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
  return { answer, message: `${t("verdict")}: ${t(`verdicts.${answer.verdict}`)}` };
}

export function chainEdges(reason) {
  let found = cy.collection();
  for (const step of reason.path) {
    found = found.union(
      cy
        .edges()
        .filter(
          (e) =>
            e.data("type") === step.type &&
            e.data("source") === step.source_id &&
            e.data("target") === step.target_id,
        ),
    );
  }
  return found;
}

export function markChains(reasons, only = null) {
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

export async function drawCluster(op) {
  const answer = await api.get(`/v1/clusters/${encodeURIComponent(op.id)}`);
  const cluster = answer.cluster;
  const members = cluster.members || [];
  putNodes(
    members.map((m) =>
      nodeIn(m, { status: STATUS_ORDER.includes(m.status) ? m.status : undefined }),
    ),
  );
  await fillStatuses(members.map((m) => m.id));
  putEdges(
    (cluster.strongest || []).map((s) => ({
      id: `CLUSTER|${s.source_id}|${s.target_id}|${s.evidence}`,
      type: "CLUSTER",
      source: s.source_id,
      target: s.target_id,
      post: s.evidence,
      weight: s.weight,
    })),
  );
  // how the members hang together: the relations on the shortest paths between them
  const ids = members.map((m) => m.id).slice(0, 20);
  if (ids.length >= 2 && may("get_connection")) {
    const link = await api.get("/v1/connect", { id: ids, max_hops: 2, as_of: asOfParam() });
    putNodes(link.nodes.map((n) => nodeIn(n)));
    await fillStatuses(
      link.nodes
        .map((n) => n.id)
        .filter((id) => cy.getElementById(id).data("status") === undefined),
    );
    putEdges(link.relations.map((r) => relationEdge(r)));
  }
  return { answer: cluster, message: `${cluster.id}: ${members.length}` };
}

/** Redraw every operation as of the current date (the time bar, a shared link). */
export async function replay() {
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
    if (!$("status-line").classList.contains("error"))
      say(t("nodes", cy.nodes().length, cy.edges().length));
  } finally {
    busy -= 1;
    replaying -= 1;
  }
}
