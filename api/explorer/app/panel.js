// The side panel: an entity's profile and records with their provenance, and the answers of
// paths, connect, equity, the check and the clusters.
import { $, api, asOfParam, cy, DAY, el, explain, matters, may, say } from "./context.js";
import { percent, STATUS_STYLE } from "./graph.js";
import { lang, t } from "./i18n.js";

export function panel(...children) {
  const box = $("panel");
  box.replaceChildren(...children.flat(Infinity).filter(Boolean));
}

export function recordView(view) {
  const r = view.record;
  const title =
    r.list_name ||
    r.penalty_category ||
    r.licence_name ||
    r.commitment_type ||
    r.case_number ||
    r.kind;
  const valid =
    r.valid_from || r.valid_to ? `${r.valid_from || ""} ~ ${r.valid_to || ""}`.trim() : "";
  return el(
    "div",
    { class: `record ${view.in_force ? "in-force" : "not-in-force"}`, "data-record": r.id },
    el(
      "div",
      {},
      el("strong", {}, t(`recordKinds.${r.kind}`)),
      " ",
      title,
      " ",
      el("span", { class: "badge" }, view.in_force ? t("inForce") : t("notInForce")),
    ),
    el(
      "dl",
      {},
      el("dt", {}, t("authority")),
      el("dd", {}, r.issuing_authority || "—"),
      el("dt", {}, t("document")),
      el("dd", {}, r.document_number || "—"),
      el("dt", {}, t("decided")),
      el("dd", {}, r.decision_date || "—"),
      valid ? [el("dt", {}, t("valid")), el("dd", {}, valid)] : null,
      el("dt", {}, t("status")),
      el(
        "dd",
        {},
        `${t(`recordStatus.${r.status || "active"}`)}${r.status_since ? ` (${r.status_since})` : ""}`,
      ),
      r.legal_basis ? [el("dt", {}, t("basis")), el("dd", {}, r.legal_basis)] : null,
      r.source_file
        ? [
            el("dt", {}, t("source")),
            el("dd", {}, `${r.source_file}${r.source_row ? `:${r.source_row}` : ""}`),
          ]
        : null,
    ),
  );
}

export function pagingBox(node) {
  const d = node.data();
  if (d.total === undefined) return null;
  return el(
    "div",
    { class: "paging", id: "paging" },
    d.more > 0 ? t("shown", d.expanded, d.total, d.more) : t("allShown", d.total),
    d.more > 0
      ? el("button", { id: "panel-more", "data-action": "more", "data-id": node.id() }, t("more"))
      : null,
  );
}

export function checkForm(id) {
  if (!may("get_check")) return null;
  const select = el(
    "select",
    { id: "matter" },
    matters().map((m) => el("option", { value: m }, t(`matters.${m}`))),
  );
  return el(
    "div",
    { class: "form" },
    el("label", {}, t("matter"), select),
    el("button", { id: "run-check", "data-action": "check", "data-id": id }, t("runCheck")),
  );
}

let shownId = null; // the node whose profile the panel shows

/** After a redraw (a new date, undo): the node's profile again as of the date, if drawn. */
export function refreshPanel() {
  if (shownId === null) return undefined;
  const node = cy.getElementById(shownId);
  if (node.nonempty()) return showNode(node);
  shownId = null;
  return panel();
}

export async function showNode(node) {
  shownId = node.id();
  const d = node.data();
  if (d.kind === "group") {
    panel(el("h2", {}, d.name), el("p", {}, `${t("members")}: ${node.children().length}`));
    return;
  }
  const head = [
    el("h2", { id: "panel-title" }, d.name),
    el(
      "p",
      {},
      el(
        "span",
        {
          class: "badge",
          style: `background:${STATUS_STYLE[d.status || "clean"].color === "#ffffff" ? "#888" : STATUS_STYLE[d.status || "clean"].color}`,
        },
        t(`statuses.${d.status || "clean"}`),
      ),
      " ",
      t(`kinds.${d.kind}`),
    ),
    pagingBox(node),
  ];
  if (!d.eid) {
    panel(head, el("p", { class: "muted", id: "masked-note" }, t("masked")));
    return;
  }
  panel(head, el("p", { class: "muted" }, t("loading")));
  try {
    const detail = await api.get(`/v1/entities/${encodeURIComponent(d.eid)}`, {
      as_of: asOfParam(),
      record_limit: 50,
    });
    const entity = detail.entity;
    const skip = new Set(["name", "label", "loaded_at", "former_names", "id_hash"]);
    const rows = Object.entries(entity).filter(
      ([k, v]) => !skip.has(k) && v !== null && v !== "" && !(Array.isArray(v) && !v.length),
    );
    panel(
      head,
      el("h3", {}, t("profile")),
      el(
        "dl",
        { id: "profile" },
        rows.map(([k, v]) => [
          el("dt", { title: k }, lang() === "zh" ? t(`fields.${k}`) : k),
          el("dd", {}, Array.isArray(v) ? v.join("、") : String(v)),
        ]),
      ),
      entity.former_names && entity.former_names.length
        ? el("p", { class: "muted" }, `曾用名 / former: ${entity.former_names.join("、")}`)
        : null,
      checkForm(d.eid),
      el("h3", {}, `${t("records")} (${detail.record_total})`),
      detail.records.length
        ? detail.records.map(recordView)
        : el("p", { class: "muted" }, t("noRecords")),
    );
  } catch (err) {
    panel(head, el("p", { class: "muted" }, explain(err)));
  }
}

export function nodeName(id) {
  const n = cy.getElementById(id);
  return n.nonempty() ? n.data("name") : id;
}

export function showPaths(answer, op) {
  panel(
    el("h2", {}, `${t("paths")}: ${nodeName(op.s)} → ${nodeName(op.t)}`),
    el(
      "p",
      { id: "paths-found" },
      answer.paths.length ? t("pathsFound", answer.paths.length) : t("noPath", op.h || 6),
    ),
    el(
      "ol",
      { class: "plain", id: "path-list" },
      answer.paths.map((p) =>
        el(
          "li",
          {},
          p.nodes.map((n) => n.name).join(" — "),
          el("span", { class: "muted" }, ` (${p.hops})`),
        ),
      ),
    ),
    answer.hubs_not_followed && answer.hubs_not_followed.length
      ? el(
          "p",
          { class: "muted" },
          `hubs: ${answer.hubs_not_followed.map((h) => h.name).join("、")}`,
        )
      : null,
  );
}

export function showConnection(answer) {
  const unlinked = answer.unlinked || answer.not_linked || [];
  panel(
    el("h2", {}, t("connect")),
    el(
      "ul",
      { class: "plain" },
      answer.pairs.map((p) =>
        el("li", {}, `${nodeName(p.source_id)} — ${nodeName(p.target_id)}: ${p.hops}`),
      ),
    ),
    unlinked.length
      ? el(
          "p",
          {},
          t(
            "notLinked",
            unlinked
              .map((p) =>
                Array.isArray(p) ? p.map(nodeName).join("—") : nodeName(p.source_id || p),
              )
              .join("；"),
          ),
        )
      : null,
  );
}

export function showEquity(answer, op) {
  panel(
    el("h2", {}, `${t(op.d === "up" ? "equityUp" : "equityDown")}: ${answer.subject.name}`),
    el(
      "table",
      { id: "stakes" },
      answer.stakes.map((s) =>
        el(
          "tr",
          {},
          el("td", {}, s.node.name),
          el("td", {}, percent(s.stake)),
          el("td", { class: "muted" }, s.ultimate ? "★" : ""),
        ),
      ),
    ),
    answer.cycles && answer.cycles.length
      ? el("p", { class: "muted" }, `cycles: ${answer.cycles.length}`)
      : null,
  );
}

export function showCheck(answer, op) {
  const reasons = answer.reasons.map((r, i) =>
    el(
      "div",
      {
        class: "reason",
        "data-effect": r.effect,
        "data-action": "chain",
        "data-index": i,
      },
      el(
        "div",
        {},
        el("span", { class: `badge verdict-${r.effect}` }, t(`verdicts.${r.effect}`)),
        " ",
        r.measure ? r.measure.title : r.note || "",
      ),
      el(
        "dl",
        {},
        r.measure
          ? [
              el("dt", {}, t("measure")),
              el("dd", {}, `${r.measure.memorandum} ${r.measure.document_number || ""}`),
            ]
          : null,
        r.measure ? [el("dt", {}, t("basis")), el("dd", {}, r.measure.legal_basis)] : null,
        el("dt", {}, t("record")),
        el(
          "dd",
          {},
          `${r.record.list_name} · ${r.record.issuing_authority} · ${r.record.document_number || "—"} · ${r.record.decision_date || ""}`,
        ),
        el("dt", {}, t("chain")),
        el(
          "dd",
          {},
          r.path.length
            ? r.path
                .map((s) => `${s.source_name} —${t(`rels.${s.type}`)}→ ${s.target_name}`)
                .join("；")
            : t(`tiers.${r.tier}`),
        ),
      ),
    ),
  );
  panel(
    el("h2", {}, `${t("check")}: ${nodeName(op.id)} · ${t(`matters.${op.m}`)}`),
    el(
      "p",
      { id: "verdict" },
      `${t("verdict")}: `,
      el("span", { class: `badge verdict-${answer.verdict}` }, t(`verdicts.${answer.verdict}`)),
      el("span", { class: "muted" }, ` ${answer.receipt || ""}`),
    ),
    el("h3", {}, `${t("reasons")} (${answer.reasons.length})`),
    reasons,
    answer.ignored && answer.ignored.length
      ? [
          el("h3", {}, `${t("ignored")} (${answer.ignored.length})`),
          el(
            "ul",
            { class: "plain" },
            answer.ignored.map((g) => el("li", {}, `${g.record.list_name}: ${g.why}`)),
          ),
        ]
      : null,
  );
}

export function showCluster(cluster) {
  panel(
    el("h2", {}, `${t("clusters")} ${cluster.id}`),
    el("p", {}, `${t("score")}: ${cluster.score}`),
    el("p", {}, cluster.explanation || ""),
    el("h3", {}, t("members")),
    el(
      "ul",
      { class: "plain" },
      (cluster.members || []).map((m) => el("li", {}, `${m.name} (${t(`statuses.${m.status}`)})`)),
    ),
  );
}

export async function showClusters() {
  try {
    const [list, changes] = await Promise.all([
      api.get("/v1/clusters", { limit: 20 }),
      api
        .get("/v1/clusters/changes", {
          since: new Date(Date.now() - 30 * DAY).toISOString().slice(0, 10),
        })
        .catch(() => ({ runs: [] })),
    ]);
    panel(
      el("h2", {}, t("clusters")),
      el("p", { class: "muted" }, `${list.as_of || ""} · ${list.total ?? list.items.length}`),
      el(
        "ol",
        { class: "plain", id: "cluster-list" },
        list.items.map((c) =>
          el(
            "li",
            {},
            el(
              "a",
              {
                href: "#",
                "data-action": "cluster",
                "data-id": c.id,
              },
              c.id,
            ),
            ` ${t("score")} ${c.score} · ${c.members.length}`,
          ),
        ),
      ),
      el("h3", {}, t("changes")),
      el(
        "ul",
        { class: "plain" },
        changes.runs.flatMap((run) =>
          run.changes.map((ch) =>
            el(
              "li",
              {},
              `${run.as_of} ${ch.cluster_id} ${t(`changeKinds.${ch.kind}`)} +${ch.added.length} −${ch.removed.length}`,
            ),
          ),
        ),
      ),
    );
  } catch (err) {
    say(t("error", explain(err)), true);
  }
}

/** The panel for what an operation drew (the expansions show the node itself). */
export function showResult(op, result) {
  if (op.o !== "expand") shownId = null;
  const answer = result && result.answer;
  if (!answer) return undefined;
  switch (op.o) {
    case "paths":
      return showPaths(answer, op);
    case "connect":
      return showConnection(answer);
    case "equity":
      return showEquity(answer, op);
    case "check":
      return showCheck(answer, op);
    case "cluster":
      return showCluster(answer);
    default:
      return undefined;
  }
}
