// The explorer: search, expand, follow paths, check, and see records with their provenance.
// What is on the screen is described by ``state`` (context.js): the operations that drew it,
// the date, and what was hidden, pinned or grouped. The URL carries that state, so a link
// restores the view, and a new date replays the operations as of that date.
import {
  $,
  api,
  cy,
  decodeState,
  may,
  me,
  metrics,
  say,
  setCy,
  setMe,
  state,
  writeUrl,
} from "./context.js";
import { filterBox, layoutBox, legend, setAsOf, wireTimebar } from "./controls.js";
import { counts, relayout } from "./draw.js";
import { display, edgeLabel, makeGraph } from "./graph.js";
import { lang, setLang, t, translatePage } from "./i18n.js";
import { busy, replay } from "./operations.js";
import { showClusters, showNode } from "./panel.js";
import { wireSearch } from "./search.js";
import {
  act,
  clearView,
  expandOf,
  exportJson,
  exportPng,
  findPaths,
  groupSelected,
  hideSelected,
  moreOf,
  needSelection,
  pathForm,
  runCheck,
  share,
  showHidden,
  togglePin,
  undo,
  ungroupSelected,
  viewJson,
  wirePanel,
} from "./tools.js";

function retranslate() {
  setLang(state.lang);
  translatePage();
  legend();
  filterBox();
  layoutBox();
  cy.nodes().forEach((n) =>
    n.data("display", n.data("kind") === "group" ? n.data("name") : display(n.data())),
  );
  cy.edges().forEach((e) => e.data("display", edgeLabel(e.data())));
  $("who").textContent = `${t("role")}: ${me.role} · ${me.name}`;
  counts();
  say(t("nodes", cy.nodes().length, cy.edges().length));
  const selected = cy.nodes(":selected");
  if (selected.length === 1) showNode(selected[0]);
}

async function whoami() {
  try {
    setMe(await api.get("/v1/whoami"));
  } catch (err) {
    if (err.status === 401) {
      const key = prompt(t("keyPrompt"), "");
      if (key !== null) {
        api.setKey(key);
        return whoami();
      }
    }
    setMe({ role: "?", name: "?", operations: [], full_names: false });
  }
  for (const button of document.querySelectorAll("[data-op]"))
    button.disabled = !may(button.dataset.op);
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
  $("lang-button").addEventListener("click", () => {
    state.lang = lang() === "zh" ? "en" : "zh";
    retranslate();
    writeUrl();
  });
  $("key-button").addEventListener("click", async () => {
    const key = prompt(t("keyPrompt"), "");
    if (key === null) return;
    api.setKey(key);
    await whoami();
    await replay();
  });
  $("purpose").value = api.purpose;
  $("purpose").addEventListener("change", () => api.setPurpose($("purpose").value));
  $("expand").addEventListener("click", () => {
    const ids = needSelection(1);
    if (ids) expandOf(ids[0]);
  });
  $("more").addEventListener("click", () => {
    const ids = needSelection(1);
    if (ids) moreOf(ids[0]);
  });
  $("hide").addEventListener("click", hideSelected);
  $("show-hidden").addEventListener("click", showHidden);
  $("pin").addEventListener("click", togglePin);
  $("group").addEventListener("click", groupSelected);
  $("ungroup").addEventListener("click", ungroupSelected);
  $("undo").addEventListener("click", undo);
  $("clear").addEventListener("click", clearView);
  $("paths").addEventListener("click", pathForm);
  $("connect").addEventListener("click", () => {
    const ids = needSelection(2);
    if (ids) act({ o: "connect", ids: ids.slice(0, 20) });
  });
  $("equity-up").addEventListener("click", () => {
    const ids = needSelection(1);
    if (ids) act({ o: "equity", id: ids[0], d: "up" });
  });
  $("equity-down").addEventListener("click", () => {
    const ids = needSelection(1);
    if (ids) act({ o: "equity", id: ids[0], d: "down" });
  });
  $("check").addEventListener("click", () => {
    const ids = needSelection(1);
    if (ids)
      showNode(cy.getElementById(cy.nodes(":selected")[0].id())).then(
        () => $("matter") && $("matter").focus(),
      );
  });
  $("clusters").addEventListener("click", showClusters);
  $("layout").addEventListener("change", () => {
    state.layout = $("layout").value;
    writeUrl();
    relayout({ fresh: true });
  });
  $("page-size").addEventListener("change", () => {
    state.pageSize = Number($("page-size").value);
    writeUrl();
  });
  $("fit").addEventListener("click", () => cy.fit(undefined, 40));
  $("export-png").addEventListener("click", exportPng);
  $("export-json").addEventListener("click", exportJson);
  $("share").addEventListener("click", share);
  cy.on("tap", "node", (ev) => showNode(ev.target));
  cy.on("dbltap", "node", (ev) => {
    if (ev.target.data("eid")) expandOf(ev.target.data("eid"));
  });
  cy.on("dragfree", "node", (ev) => {
    const n = ev.target;
    if (state.pinned[n.id()]) {
      const p = n.position();
      state.pinned[n.id()] = [Math.round(p.x), Math.round(p.y)];
      writeUrl();
    }
  });
  cy.on("tap", (ev) => {
    if (ev.target === cy) cy.elements().removeClass("faded");
  });
  wireSearch();
  wirePanel();
  wireTimebar();
}

async function start() {
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get("key")) {
    // a one-time link from `credgraph demo`: keep the key, drop it from the URL
    api.setKey(hash.get("key"));
    hash.delete("key");
  }
  if (hash.get("v")) {
    try {
      decodeState(hash.get("v"));
    } catch {
      say("bad link", true);
    }
  }
  if (hash.get("lang")) state.lang = hash.get("lang");
  setLang(state.lang);
  setCy(makeGraph($("cy")));
  window.explorer = {
    cy,
    state,
    metrics,
    api,
    perform: act,
    replay,
    setAsOf,
    findPaths,
    expandOf,
    moreOf,
    runCheck,
    viewJson,
    get busy() {
      return busy;
    },
    ready: false,
  };
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
