// What every part of the explorer shares: the API client, the view's state (which the URL
// carries), the graph, the caller, and small helpers for the page.
import { Api, ApiError } from "./api.js";
import { keysOf, t } from "./i18n.js";

export const api = new Api();
export const $ = (id) => document.getElementById(id);
export const EPOCH = Date.UTC(2010, 0, 1);
export const DAY = 86_400_000;
export const REL_TYPES = [
  "LEGAL_REPRESENTATIVE_OF",
  "PRINCIPAL_OF",
  "SHAREHOLDER_OF",
  "EXECUTIVE_OF",
  "ACTUAL_CONTROLLER_OF",
  "DIRECTLY_RESPONSIBLE_FOR",
  "RELEASED_FROM",
  "BRANCH_OF",
  "SERVES_IN",
  "HAS_PHONE",
  "HAS_ADDRESS",
  "POSSIBLY_SAME_AS",
];

export const state = {
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
export let cy;
export let me = { role: "investigator", operations: [], full_names: true, name: "local" };
export const undoStack = [];
export const metrics = { last: null, ops: [] };

export function today() {
  return new Date().toISOString().slice(0, 10);
}

export function asOfParam() {
  return state.asOf || undefined;
}

export function may(operation) {
  return me.operations.includes(operation);
}

export function say(text, error = false) {
  const line = $("status-line");
  line.textContent = text;
  line.classList.toggle("error", error);
}

export function explain(err) {
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

export function el(tag, attrs = {}, ...children) {
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

export function download(name, href) {
  const a = el("a", { href, download: name });
  document.body.append(a);
  a.click();
  a.remove();
}

export function encodeState() {
  const json = JSON.stringify({
    a: state.asOf,
    l: state.lang,
    y: state.layout,
    s: state.pageSize,
    f: state.filter,
    o: state.ops,
    h: state.hidden,
    p: state.pinned,
    g: state.groups,
  });
  const bytes = new TextEncoder().encode(json);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeState(text) {
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const json = new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  const v = JSON.parse(json);
  Object.assign(state, {
    asOf: v.a || null,
    lang: v.l || "zh",
    layout: v.y || "fcose",
    pageSize: v.s || 25,
    filter: v.f || [],
    ops: v.o || [],
    hidden: v.h || [],
    pinned: v.p || {},
    groups: v.g || [],
  });
}

export function writeUrl() {
  history.replaceState(null, "", `#v=${encodeState()}`);
}

export function setCy(graph) {
  cy = graph;
}

export function setMe(caller) {
  me = caller;
}

/** The matters a check may ask about (from the OpenAPI document once loaded). */
export function matters() {
  return window.__matters || keysOf("matters"); // the API's Matter enum, else the named ones
}
