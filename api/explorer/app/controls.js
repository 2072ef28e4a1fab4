// The time bar (the view as of a date), the legend, the relation-type filter and the layouts.
import { $, DAY, el, EPOCH, REL_TYPES, state, today, writeUrl } from "./context.js";
import { applyFilter, counts } from "./draw.js";
import { KINDS, LAYOUTS, STATUS_ORDER, STATUS_STYLE } from "./graph.js";
import { t } from "./i18n.js";
import { replay, snapshot } from "./operations.js";
import { refreshPanel } from "./panel.js";

export function setAsOf(value, { redraw = true } = {}) {
  const asOf = value && value !== today() ? value : null;
  if (redraw && asOf === state.asOf) return Promise.resolve(); // the same day: nothing to do
  if (redraw) snapshot(); // before the change: undo goes back to the day before
  state.asOf = asOf;
  const shown = state.asOf || today();
  $("as-of").value = shown;
  $("as-of-range").value = String(Math.round((Date.parse(shown) - EPOCH) / DAY));
  if (redraw) {
    writeUrl();
    return replay().then(refreshPanel);
  }
  return Promise.resolve();
}

export function wireTimebar() {
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

export function legend() {
  const box = $("legend");
  const swatch = (style) => el("span", { class: "sw", style });
  const shapes = {
    enterprise: "border-radius:3px",
    social_organization: "clip-path:polygon(25% 0,75% 0,100% 50%,75% 100%,25% 100%,0 50%)",
    authority: "transform:rotate(45deg) scale(.8)",
    person: "border-radius:50%",
    phone: "clip-path:polygon(50% 0,100% 100%,0 100%)",
    address: "border-radius:2px 8px 8px 2px",
  };
  const fills = {
    enterprise: "#5b8ff9",
    social_organization: "#9270ca",
    authority: "#6dc8ec",
    person: "#f6bd16",
    phone: "#a0a0a0",
    address: "#a0a0a0",
  };
  box.replaceChildren(
    el("h4", {}, t("legend")),
    ...KINDS.map((k) =>
      el("div", { "data-kind": k }, swatch(`background:${fills[k]};${shapes[k]}`), t(`kinds.${k}`)),
    ),
    ...STATUS_ORDER.map((s) =>
      el(
        "div",
        { "data-status": s },
        swatch(
          `background:#fff;border:${Math.min(STATUS_STYLE[s].width, 4)}px ${STATUS_STYLE[s].style} ${s === "clean" ? "#999" : STATUS_STYLE[s].color}`,
        ),
        t(`statuses.${s}`),
      ),
    ),
  );
}

export function filterBox() {
  const box = $("filter");
  box.replaceChildren(
    ...REL_TYPES.map((type) =>
      el(
        "label",
        {},
        el("input", {
          type: "checkbox",
          value: type,
          checked: !state.filter.length || state.filter.includes(type) ? "" : null,
          onchange: () => {
            const checked = [...box.querySelectorAll("input:checked")].map((i) => i.value);
            state.filter = checked.length === REL_TYPES.length ? [] : checked;
            applyFilter();
            counts();
            writeUrl();
          },
        }),
        t(`rels.${type}`),
      ),
    ),
  );
}

export function layoutBox() {
  const select = $("layout");
  select.replaceChildren(
    ...LAYOUTS.map((name) => el("option", { value: name }, t(`layouts.${name}`))),
  );
  select.value = state.layout;
}
