// Search with suggestions as the analyst types; Enter or a click draws the neighbourhood.
import { $, api, cy, el, explain, may, metrics, state } from "./context.js";
import { kindOf } from "./graph.js";
import { t } from "./i18n.js";
import { perform } from "./operations.js";
import { showNode } from "./panel.js";

let searchTimer = null;
let suggestions = [];
let active = -1;

export function looksLikeUscc(text) {
  return /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(text.toUpperCase());
}

export async function suggest(text) {
  const list = $("suggest");
  if (!text) {
    list.hidden = true;
    return;
  }
  if (!may("search")) {
    suggestions = looksLikeUscc(text)
      ? [{ id: text.toUpperCase(), name: text.toUpperCase(), label: "Enterprise" }]
      : [];
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

export function renderSuggestions(message) {
  const list = $("suggest");
  active = suggestions.length ? 0 : -1;
  list.replaceChildren(
    ...(message
      ? [el("li", { class: "muted" }, message)]
      : suggestions.map((s, i) =>
          el(
            "li",
            {
              role: "option",
              class: i === active ? "active" : "",
              "data-id": s.id,
              onmousedown: (ev) => {
                ev.preventDefault();
                choose(i);
              },
            },
            el("span", {}, s.name),
            el("small", {}, `${t(`kinds.${kindOf(s.label, s.id)}`)} ${s.uscc || ""}`),
          ),
        )),
  );
  list.hidden = false;
}

export async function choose(index) {
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

export function wireSearch() {
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
  input.addEventListener("blur", () =>
    setTimeout(() => {
      $("suggest").hidden = true;
    }, 150),
  );
}
