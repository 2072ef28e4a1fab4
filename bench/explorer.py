"""The explorer in a real browser: time from a search to a drawn neighbourhood, and frame
time while dragging a node in a view of 500 nodes.

    .venv/bin/python bench/explorer.py                      # county of 3,000, 20 searches
    .venv/bin/python bench/explorer.py --entities 10000 --searches 40 --nodes 500

The demo (hand-written graph and a county, seed 1) is loaded into an embedded store in
.cache/bench/explorer-N (kept between runs), served by ``credgraph serve`` on loopback with
its demo keys, and opened at /explore in Debian's chromium (headless, software rendering:
no GPU on this machine), as the browser tests do.

**Search to drawn.** For each of ``--searches`` enterprises (seeded sample, the busiest
address's firms among them): type its USCC, wait for the suggestion, press Enter, and take
the page's own measure, from the choice to two animation frames after the layout stopped
(the neighbourhood painted). The baseline, in the same page: the same expand request made
with fetch alone (network, server, JSON; nothing drawn), so the ratio says what drawing and
the layout add to what the service needs.

**Drag.** The view is grown by expanding its nodes with the most links not shown (pages of
up to 200) until it holds ``--nodes``; then a node is dragged along a circle for 3 s with
the mouse, and every animation frame's time is recorded. The baseline, in the same page: the
frames of 3 s with nothing happening (the display's own frame interval), so the ratio is the
drag's frame time over the idle one; ``draw_ms`` is the renderer's own work per frame drawn
during the drag (its headroom under the frame interval). Also: one fresh fcose layout of
the whole view. A screenshot of the view is left in the cache folder. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.live import CHROMIUM, serving  # noqa: E402

PURPOSE = "性能测试"


def quantiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {
        "p50": round(statistics.median(ordered), 1),
        "p95": at(0.95),
        "max": round(ordered[-1], 1),
        "n": len(ordered),
    }


def prepare(data: Path, entities: int) -> dict[str, Any]:
    """The demo in ``data`` (made once): its env, keys and the county's ground truth."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDGRAPH_")}
    env["CREDGRAPH_DATA_DIR"] = str(data)
    truth = data / f"county-{entities}" / "ground_truth.json"
    if not (data / "demo-keys" / "investigator").exists() or not truth.exists():
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "api.cli", "demo", "--no-serve", "--entities", str(entities)],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"demo loaded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    key = (data / "demo-keys" / "investigator").read_text().strip()
    return {"env": env, "key": key, "truth": json.loads(truth.read_text())}


def sample_firms(truth: dict[str, Any], searches: int, seed: int) -> list[str]:
    """USCCs to search: the busiest address's firms first, then a seeded sample of others."""
    hubs = truth["structures"]["hub_addresses"]
    firms = sorted({u for hub in hubs for u in hub["usccs"]})
    rng = random.Random(seed)
    rng.shuffle(firms)
    return firms[:searches]


def search_to_drawn(page: Any, firms: list[str]) -> dict[str, Any]:
    drawn: list[float] = []
    fetched: list[float] = []
    sizes: list[int] = []
    for uscc in firms:
        page.click("#clear")
        page.fill("#search", uscc)
        page.wait_for_selector(f"#suggest li[data-id='{uscc}']", timeout=15_000)
        page.evaluate("window.explorer.metrics.searchToDraw = null")
        page.press("#search", "Enter")
        page.wait_for_function("window.explorer.metrics.searchToDraw > 0", timeout=30_000)
        drawn.append(page.evaluate("window.explorer.metrics.searchToDraw"))
        sizes.append(page.evaluate("window.explorer.cy.nodes().length"))
        fetched.append(
            page.evaluate(
                """async id => { const t0 = performance.now();
                await window.explorer.api.get(`/v1/entities/${id}/expand`, {limit: 25});
                return performance.now() - t0; }""",
                uscc,
            )
        )
    search = quantiles(drawn)
    base = quantiles(fetched)
    return {
        "search_to_drawn_ms": search,
        "expand_fetch_only_ms": base,
        "ratio_p50": round(search["p50"] / base["p50"], 1),
        "nodes_drawn_p50": statistics.median(sizes),
    }


def grow_view(page: Any, start: str, nodes: int) -> int:
    """Expand the nodes with the most links not shown until the view holds ``nodes``."""
    page.click("#clear")
    page.evaluate(
        "id => window.explorer.perform({o: 'expand', id, k: 200}, {replaceExpand: true})", start
    )
    for _ in range(200):
        count = page.evaluate("window.explorer.cy.nodes().length")
        if count >= nodes:
            break
        nxt = page.evaluate(
            """() => { const cy = window.explorer.cy;
            const open = cy.nodes().filter(n => n.data('eid') && n.data('total') === undefined);
            const more = cy.nodes().filter(n => n.data('more') > 0);
            const pick = (more.nonempty() ? more : open).sort((a, b) =>
                (b.data('more') || b.degree()) - (a.data('more') || a.degree()));
            return pick.nonempty() ? pick[0].data('eid') : null; }"""
        )
        if nxt is None:
            break
        want = min(200, nodes - count + 5)
        page.evaluate(
            """([id, want]) => { const n = window.explorer.cy.getElementById(id);
            const shown = n.data('expanded') || 0;
            return window.explorer.perform({o: 'expand', id, from: shown, k: shown + want},
                                           {replaceExpand: true}); }""",
            [nxt, want],
        )
    return int(page.evaluate("window.explorer.cy.nodes().length"))


FRAMES = """ms => new Promise(resolve => { const times = []; const t0 = performance.now();
    const tick = now => { times.push(now); if (now - t0 < ms) requestAnimationFrame(tick);
    else resolve(times.slice(1).map((t, i) => t - times[i])); };
    requestAnimationFrame(tick); })"""


def drag(page: Any, seconds: float) -> dict[str, Any]:
    cy_box = page.locator("#cy").bounding_box()
    target = page.evaluate(
        """() => { const cy = window.explorer.cy; const box = cy.extent();
        const mid = {x: (box.x1 + box.x2) / 2, y: (box.y1 + box.y2) / 2};
        const n = cy.nodes().not(':parent').sort((a, b) =>
            Math.hypot(a.position('x') - mid.x, a.position('y') - mid.y) -
            Math.hypot(b.position('x') - mid.x, b.position('y') - mid.y))[0];
        return {id: n.id(), pos: n.renderedPosition(), degree: n.degree()}; }"""
    )
    idle = page.evaluate(f"({FRAMES})({int(seconds * 1000)})")
    page.evaluate(  # the renderer's own work per drawn frame (Cytoscape draws on the canvas)
        """() => { const r = window.explorer.cy.renderer(); window.__draws = [];
        if (r.__timed) return; r.__timed = true; const draw = r.render;
        r.render = function (...args) { const t0 = performance.now();
        const out = draw.apply(this, args); window.__draws.push(performance.now() - t0);
        return out; }; }"""
    )
    x0 = cy_box["x"] + target["pos"]["x"]
    y0 = cy_box["y"] + target["pos"]["y"]
    page.mouse.move(x0, y0)
    page.mouse.down()
    frames_handle = page.evaluate_handle(f"({FRAMES})({int(seconds * 1000)})")
    steps = int(seconds * 60)
    started = time.perf_counter()
    for i in range(steps):
        angle = 2 * math.pi * i / 60
        page.mouse.move(x0 + 80 * math.cos(angle) - 80, y0 + 80 * math.sin(angle))
        if time.perf_counter() - started > seconds:
            break
    page.mouse.up()
    frames = frames_handle.json_value()
    draws = page.evaluate("window.__draws")
    moved = page.evaluate(
        "id => window.explorer.cy.getElementById(id).renderedPosition()", target["id"]
    )
    drag_q = quantiles(frames)
    idle_q = quantiles(idle)
    return {
        "dragged_node_degree": target["degree"],
        "node_moved": moved != target["pos"],
        "drag_frame_ms": drag_q,
        "idle_frame_ms": idle_q,
        "draw_ms": quantiles(draws) if draws else None,
        "drag_fps": round(1000 / drag_q["p50"], 1),
        "ratio_p50": round(drag_q["p50"] / idle_q["p50"], 2),
        "ratio_p95": round(drag_q["p95"] / idle_q["p95"], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=3000)
    parser.add_argument("--searches", type=int, default=20)
    parser.add_argument("--nodes", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=3.0, help="of dragging")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "bench")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    demo = prepare(args.cache / f"explorer-{args.entities}", args.entities)
    firms = sample_firms(demo["truth"], args.searches, args.seed)
    figures: dict[str, Any] = {"entities": args.entities, "browser": "Debian chromium, headless"}
    with serving(demo["env"]) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(f"{url}/explore#key={demo['key']}")
        page.wait_for_selector("body[data-ready='1']", timeout=30_000)
        page.fill("#purpose", PURPOSE)
        page.dispatch_event("#purpose", "change")
        figures["version"] = page.evaluate("navigator.userAgent").split("Chrome/")[-1].split()[0]
        search_to_drawn(page, firms[:2])  # warm-up: scripts compiled, caches filled
        figures["search"] = search_to_drawn(page, firms)
        started = time.perf_counter()
        shown = grow_view(page, firms[0], args.nodes)
        figures["view"] = {
            "nodes": shown,
            "relations": page.evaluate("window.explorer.cy.edges().length"),
            "built_s": round(time.perf_counter() - started, 1),
        }
        figures["view"]["fcose_layout_ms"] = page.evaluate(
            """() => new Promise(resolve => { const cy = window.explorer.cy;
            const t0 = performance.now();
            const layout = cy.elements().layout({name: 'fcose', randomize: true, animate: false,
                nodeDimensionsIncludeLabels: true, packComponents: true});
            layout.one('layoutstop', () => resolve(Math.round(performance.now() - t0)));
            layout.run(); })"""
        )
        page.screenshot(path=str(args.cache / f"explorer-{args.entities}-view.png"))
        figures["drag"] = drag(page, args.seconds)
        browser.close()
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
