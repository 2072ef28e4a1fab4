// The picture: Cytoscape.js with the fcose layout. Nodes are styled by kind (shape and fill)
// and by credit status (border); relations are labelled by type with stake or post.
import { t } from "./i18n.js";

/* global cytoscape, cytoscapeFcose */

export const STATUS_ORDER = ["listed", "reached", "red", "disputed", "linked", "cleared", "clean"];
export const KINDS = [
  "enterprise",
  "social_organization",
  "authority",
  "person",
  "phone",
  "address",
];

const KIND_STYLE = {
  enterprise: { shape: "round-rectangle", color: "#5b8ff9", size: 30 },
  social_organization: { shape: "hexagon", color: "#9270ca", size: 30 },
  authority: { shape: "diamond", color: "#6dc8ec", size: 32 },
  person: { shape: "ellipse", color: "#f6bd16", size: 26 },
  phone: { shape: "triangle", color: "#a0a0a0", size: 18 },
  address: { shape: "round-tag", color: "#a0a0a0", size: 18 },
};
export const STATUS_STYLE = {
  listed: { color: "#d62728", width: 5, style: "solid" },
  reached: { color: "#ff7f0e", width: 4, style: "solid" },
  red: { color: "#2ca02c", width: 4, style: "solid" },
  disputed: { color: "#d4a700", width: 3, style: "dashed" },
  linked: { color: "#f0a35e", width: 2, style: "dashed" },
  cleared: { color: "#7f7f7f", width: 2, style: "dashed" },
  clean: { color: "#ffffff", width: 1, style: "solid" },
};
const EDGE_COLOURS = {
  LEGAL_REPRESENTATIVE_OF: "#333333",
  PRINCIPAL_OF: "#333333",
  ACTUAL_CONTROLLER_OF: "#8b0000",
  SHAREHOLDER_OF: "#5b8ff9",
  EXECUTIVE_OF: "#777777",
  DIRECTLY_RESPONSIBLE_FOR: "#b22222",
  RELEASED_FROM: "#2ca02c",
  BRANCH_OF: "#9270ca",
  SERVES_IN: "#6dc8ec",
  HAS_PHONE: "#b0b0b0",
  HAS_ADDRESS: "#b0b0b0",
  POSSIBLY_SAME_AS: "#d62728",
  EQUITY: "#5b8ff9",
  CLUSTER: "#9270ca",
};

/** The kind a node is drawn as, from its label and id. */
export function kindOf(label, id) {
  switch (label) {
    case "Enterprise":
      return "enterprise";
    case "SocialOrganization":
      return "social_organization";
    case "Authority":
      return "authority";
    case "Person":
      return "person";
    case "ContactPoint":
      return String(id).startsWith("phone:") ? "phone" : "address";
    default:
      break;
  }
  const text = String(id);
  if (text.startsWith("person:")) return "person";
  if (text.startsWith("phone:")) return "phone";
  if (text.startsWith("address:")) return "address";
  if (text[0] === "1") return "authority";
  if ("5678".includes(text[0])) return "social_organization";
  return "enterprise";
}

/** A person the caller's role sees masked: ``person:*N``, a pseudonym within one answer. */
export const isMasked = (id) => String(id).startsWith("person:*");

/** The label drawn under a node: its name, effective stake, and the links not shown. */
export function display(data) {
  let text = data.name || data.id;
  if (data.stake != null) text += `\n${t("effective", percent(data.stake))}`;
  if (data.more > 0) text += `\n+${data.more}`;
  return text;
}

export function percent(ratio) {
  return ratio == null ? "?" : `${(ratio * 100).toFixed(ratio < 0.1 ? 1 : 0)}%`;
}

export function edgeLabel(data) {
  let text = t(`rels.${data.type}`);
  if (data.ratio != null) text += ` ${percent(data.ratio)}`;
  if (data.type === "CLUSTER") text = `${t(`evidence.${data.post}`)} ${data.weight ?? ""}`.trim();
  else if (data.post) text += ` ${data.post}`;
  return text;
}

export function edgeId(rel) {
  return `${rel.type}|${rel.source}|${rel.target}|${rel.key || ""}`;
}

function style() {
  const rules = [
    {
      selector: "node",
      style: {
        label: "data(display)",
        "font-size": 10,
        "font-family": "WenQuanYi Micro Hei, Noto Sans CJK SC, Microsoft YaHei, sans-serif",
        "text-valign": "bottom",
        "text-margin-y": 3,
        "text-wrap": "wrap",
        "text-max-width": 120,
        "min-zoomed-font-size": 6,
        "background-color": "#cccccc",
        "border-color": "#ffffff",
        "border-width": 1,
      },
    },
    {
      selector: "edge",
      style: {
        width: 1.5,
        "curve-style": "bezier",
        "line-color": "#b0b0b0",
        "target-arrow-shape": "triangle",
        "target-arrow-color": "#b0b0b0",
        "arrow-scale": 0.8,
        label: "data(display)",
        "font-size": 8,
        color: "#555555",
        "text-rotation": "autorotate",
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.7,
        "min-zoomed-font-size": 7,
      },
    },
  ];
  for (const [kind, s] of Object.entries(KIND_STYLE)) {
    rules.push({
      selector: `node[kind = "${kind}"]`,
      style: { shape: s.shape, "background-color": s.color, width: s.size, height: s.size },
    });
  }
  for (const [status, s] of Object.entries(STATUS_STYLE)) {
    rules.push({
      selector: `node[status = "${status}"]`,
      style: { "border-color": s.color, "border-width": s.width, "border-style": s.style },
    });
  }
  rules.push({
    selector: 'node[status = "listed"]',
    style: { color: "#b00000", "font-weight": "bold" },
  });
  for (const [type, colour] of Object.entries(EDGE_COLOURS)) {
    rules.push({
      selector: `edge[type = "${type}"]`,
      style: { "line-color": colour, "target-arrow-color": colour },
    });
  }
  rules.push(
    {
      selector: 'edge[type = "HAS_PHONE"], edge[type = "HAS_ADDRESS"]',
      style: { "line-style": "dashed" },
    },
    {
      selector: 'edge[type = "POSSIBLY_SAME_AS"], edge[type = "CLUSTER"]',
      style: { "line-style": "dotted", width: 2 },
    },
    { selector: 'edge[type = "EQUITY"]', style: { "line-style": "dashed", width: 2 } },
    { selector: "node.masked", style: { "background-color": "#d9d9d9" } },
    {
      selector: "node.pinned",
      style: { "outline-width": 2, "outline-color": "#333", "outline-offset": 3 },
    },
    {
      selector: ":parent",
      style: {
        "background-opacity": 0.06,
        "background-color": "#5b8ff9",
        "border-width": 1,
        "border-color": "#5b8ff9",
        "border-style": "dashed",
        "text-valign": "top",
        label: "data(display)",
        shape: "round-rectangle",
        "font-size": 12,
      },
    },
    { selector: ".hidden, .filtered", style: { display: "none" } },
    { selector: ".faded", style: { opacity: 0.2 } },
    {
      selector: "node:selected",
      style: { "overlay-color": "#1f77b4", "overlay-opacity": 0.25, "overlay-padding": 6 },
    },
    {
      selector: "edge.path",
      style: { width: 4, "line-color": "#1f77b4", "target-arrow-color": "#1f77b4" },
    },
    {
      selector: "node.path",
      style: { "underlay-color": "#1f77b4", "underlay-opacity": 0.25, "underlay-padding": 8 },
    },
    {
      selector: "edge.chain-restrict",
      style: { width: 5, "line-color": "#d62728", "target-arrow-color": "#d62728" },
    },
    {
      selector: "edge.chain-review",
      style: { width: 5, "line-color": "#ff7f0e", "target-arrow-color": "#ff7f0e" },
    },
    {
      selector: "edge.chain-incentive",
      style: { width: 5, "line-color": "#2ca02c", "target-arrow-color": "#2ca02c" },
    },
    {
      selector: "node.chain",
      style: { "underlay-color": "#d62728", "underlay-opacity": 0.2, "underlay-padding": 8 },
    },
  );
  return rules;
}

export function makeGraph(container) {
  if (typeof cytoscapeFcose === "function") cytoscape.use(cytoscapeFcose);
  return cytoscape({
    container,
    style: style(),
    boxSelectionEnabled: true,
    selectionType: "additive",
    minZoom: 0.05,
    maxZoom: 4,
  });
}

export const LAYOUTS = ["fcose", "concentric", "breadthfirst", "grid", "circle"];

/** Options for a layout; ``fresh`` lets fcose place every node (otherwise it refines). */
export function layoutOptions(name, { fresh = false, roots = undefined } = {}) {
  const common = { animate: false, fit: true, padding: 40 };
  switch (name) {
    case "fcose":
      return {
        ...common,
        name: "fcose",
        quality: fresh ? "default" : "proof",
        randomize: fresh,
        nodeRepulsion: () => 9000,
        idealEdgeLength: () => 90,
        nodeSeparation: 80,
        packComponents: true,
        numIter: 2500,
        nodeDimensionsIncludeLabels: true,
      };
    case "concentric":
      return {
        ...common,
        name: "concentric",
        minNodeSpacing: 24,
        concentric: (n) => n.degree(),
        levelWidth: () => 2,
      };
    case "breadthfirst":
      return { ...common, name: "breadthfirst", directed: true, spacingFactor: 1.2, roots };
    case "grid":
      return { ...common, name: "grid", avoidOverlap: true };
    default:
      return { ...common, name: "circle", avoidOverlap: true };
  }
}
