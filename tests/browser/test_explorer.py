"""The explorer at /explore, in a real browser (Debian's Chromium driven by Playwright),
against a live ``credgraph serve`` on loopback with the embedded store holding the demo.

Each test asserts on what the page shows: the graph's drawn nodes and edges (their labels,
kinds and statuses as Cytoscape holds them for the canvas), the side panel, the status line.
Screenshots of the main views go to ``build/screenshots/explorer/`` (CREDGRAPH_SHOTS to
change it), as the README says.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser.live import CHROMIUM, ROOT, serving

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]
SHOTS = Path(os.environ.get("CREDGRAPH_SHOTS", ROOT / "build" / "screenshots" / "explorer"))
PURPOSE = "联合惩戒关系核查（测试）"
STATUS_ORDER = ["listed", "reached", "red", "disputed", "linked", "cleared", "clean"]
LISTED = "91420102MA4K00029K"  # 武汉某某商贸有限公司: 重大税收违法失信主体 from 2025-09-10
BUILDER = "91420102MA4K00010N"  # 武汉某某建设工程有限公司: its shareholder, 周明 its legal rep


@dataclass
class Service:
    url: str
    keys: dict[str, str]
    hub: str  # an enterprise at the county's busiest address


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The README's demo (hand-written graph and a county of 1,000), one cluster run, then
    ``credgraph serve`` on a free loopback port."""
    data = tmp_path_factory.mktemp("explorer")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDGRAPH_")}
    env["CREDGRAPH_DATA_DIR"] = str(data)
    cli = [sys.executable, "-m", "api.cli"]
    for args in (["demo", "--no-serve", "--entities", "1000"], ["clusters", "run"]):
        done = subprocess.run([*cli, *args], env=env, capture_output=True, text=True, cwd=ROOT)
        assert done.returncode == 0, done.stderr[-2000:]
    truth = json.loads((data / "county-1000" / "ground_truth.json").read_text())
    hub = truth["structures"]["hub_addresses"][0]["usccs"][0]
    keys = {p.name: p.read_text().strip() for p in (data / "demo-keys").iterdir()}
    with serving(env) as url:
        yield Service(url, keys, hub)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


class Explorer:
    """One page of the explorer, and what it shows."""

    def __init__(self, browser: Any, service: Service, role: str, fragment: str = "") -> None:
        self.service = service
        self.context = browser.new_context(viewport={"width": 1400, "height": 860})
        self.page = self.context.new_page()
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.page.route("**/*", self._only_loopback)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        key = service.keys[role]
        self.page.goto(f"{service.url}/explore#key={key}{fragment}")
        self.page.wait_for_selector("body[data-ready='1']", timeout=20_000)

    def _only_loopback(self, route: Any) -> None:
        if route.request.url.startswith(self.service.url) or route.request.url.startswith("data:"):
            route.continue_()
        else:  # a government network without internet: nothing else answers
            self.outside.append(route.request.url)
            route.abort()

    def close(self) -> None:
        self.context.close()
        assert self.outside == []  # every asset came from the service
        assert self.errors == []

    def purpose(self, text: str = PURPOSE) -> None:
        self.page.fill("#purpose", text)
        self.page.dispatch_event("#purpose", "change")

    def idle(self) -> None:
        self.page.wait_for_function("window.explorer.busy === 0", timeout=20_000)

    def search(self, text: str, pick: str | None = None) -> list[str]:
        """Type ``text``; the suggestions shown; Enter (or a click on ``pick``) opens one."""
        self.page.evaluate("document.getElementById('suggest').replaceChildren()")  # no stale list
        self.page.fill("#search", text)
        self.page.wait_for_selector("#suggest li", timeout=10_000)
        self.page.wait_for_function(
            "document.querySelector('#suggest li[data-id]') !== null "
            "|| document.querySelector('#suggest li.muted') !== null"
        )
        shown = self.page.locator("#suggest li").all_inner_texts()
        if pick is None:
            self.page.press("#search", "Enter")
        else:
            self.page.locator("#suggest li", has_text=pick).first.click()
        self.idle()
        return shown

    def nodes(self) -> list[dict[str, Any]]:
        """The nodes drawn (not hidden): id, entity id, name, kind, status, label."""
        return list(
            self.page.evaluate(
                """() => window.explorer.cy.nodes().filter(n => n.visible()).map(n => ({
                    id: n.id(), eid: n.data('eid'), name: n.data('name'), kind: n.data('kind'),
                    status: n.data('status'), label: n.data('display'),
                    classes: n.classes()}))"""
            )
        )

    def edges(self) -> list[dict[str, Any]]:
        return list(
            self.page.evaluate(
                """() => window.explorer.cy.edges().filter(e => e.visible()).map(e => ({
                    type: e.data('type'), source: e.data('source'), target: e.data('target'),
                    label: e.data('display'), classes: e.classes()}))"""
            )
        )

    def node(self, **match: Any) -> dict[str, Any]:
        found = [n for n in self.nodes() if all(n.get(k) == v for k, v in match.items())]
        assert found, f"no node drawn with {match}: {[n['name'] for n in self.nodes()]}"
        return found[0]

    def _drawn_at(self, node_id: str) -> tuple[float, float]:
        """Where a node is drawn on the page."""
        box = self.page.locator("#cy").bounding_box()
        pos = self.page.evaluate(
            "id => window.explorer.cy.getElementById(id).renderedPosition()", node_id
        )
        return box["x"] + pos["x"], box["y"] + pos["y"]

    def double_click(self, node_id: str) -> None:
        """Double-click a node where it is drawn on the canvas."""
        self.page.mouse.dblclick(*self._drawn_at(node_id))
        self.page.wait_for_timeout(100)
        self.idle()

    def click(self, node_id: str) -> None:
        self.page.mouse.click(*self._drawn_at(node_id))
        self.idle()

    def select(self, *node_ids: str) -> None:
        self.page.evaluate(
            "ids => { const cy = window.explorer.cy; cy.nodes().unselect();"
            " ids.forEach(id => cy.getElementById(id).select()); }",
            list(node_ids),
        )

    def status_line(self) -> str:
        return str(self.page.locator("#status-line").inner_text())

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.fixture
def investigator(browser: Any, service: Service) -> Iterator[Explorer]:
    page = Explorer(browser, service, "investigator")
    page.purpose()
    yield page
    page.close()


def test_search_suggests_and_draws_the_neighbourhood(investigator: Explorer) -> None:
    shown = investigator.search("某某建设")
    assert any("武汉某某建设工程有限公司" in s for s in shown)
    centre = investigator.node(eid=BUILDER)
    assert centre["kind"] == "enterprise"
    names = {n["name"] for n in investigator.nodes()}
    assert {"周明", "武汉某某商贸有限公司"} <= names
    assert investigator.node(eid=LISTED)["status"] == "listed"
    types = {e["type"] for e in investigator.edges()}
    assert {"LEGAL_REPRESENTATIVE_OF", "SHAREHOLDER_OF"} <= types
    stake = [e for e in investigator.edges() if e["type"] == "SHAREHOLDER_OF"]
    assert any(re.search(r"股东 \d+%", e["label"]) for e in stake)  # relations carry stakes
    panel = investigator.page.locator("#panel").inner_text()
    assert "武汉某某建设工程有限公司" in panel and "已显示全部" in panel
    legend = investigator.page.locator("#legend").inner_text()
    assert "列入黑名单" in legend and "受联合惩戒约束" in legend and "地址" in legend
    investigator.shot("search")


def test_the_side_panel_shows_records_with_provenance(investigator: Explorer) -> None:
    investigator.search(LISTED)
    investigator.click(LISTED)
    panel = investigator.page.locator("#panel")
    panel.locator(".record").first.wait_for()
    text = panel.inner_text()
    assert "重大税收违法失信主体" in text  # the list entry, its authority, document, dates
    assert "决定机关" in text and "文号" in text and "决定日期" in text
    assert "统一社会信用代码" in text  # the profile
    investigator.shot("panel")


def test_expand_pages_through_a_busy_address(investigator: Explorer) -> None:
    investigator.search(investigator.service.hub)
    address = investigator.node(kind="address")
    before = {e["source"] for e in investigator.edges() if e["target"] == address["id"]}
    investigator.double_click(address["id"])
    paging = investigator.page.locator("#paging").inner_text()
    match = re.search(r"已显示 (\d+) / 共 (\d+) 条关系，未显示 (\d+) 条", paging)
    assert match, paging
    shown, total, hidden = map(int, match.groups())
    assert shown == 25 and total > 25 and hidden == total - 25
    assert investigator.node(id=address["id"])["label"].endswith(f"+{hidden}")
    neighbours = {e["source"] for e in investigator.edges() if e["target"] == address["id"]}
    first_page = investigator.page.evaluate(
        "id => window.explorer.api.get(`/v1/entities/${id}/expand`, {limit: 25})"
        ".then(page => page.items.map(item => item.node.id))",
        address["id"],
    )
    assert neighbours == set(first_page) | before  # the page the API ranks first
    # most relevant first: the listed firms at the address come before the others
    statuses = {n["id"]: n["status"] for n in investigator.nodes()}
    ranks = [STATUS_ORDER.index(statuses[i]) for i in first_page]
    assert ranks == sorted(ranks) and ranks[0] == 0
    investigator.shot("paging")
    investigator.page.click("#panel-more")
    investigator.idle()
    after = {e["source"] for e in investigator.edges() if e["target"] == address["id"]}
    first_two = investigator.page.evaluate(
        "id => window.explorer.api.get(`/v1/entities/${id}/expand`, {limit: 50})"
        ".then(page => page.items.map(item => item.node.id))",
        address["id"],
    )
    assert after == set(first_two) | before and neighbours < after
    # undo takes the second page away again
    investigator.page.click("#undo")
    undone = {e["source"] for e in investigator.edges() if e["target"] == address["id"]}
    assert undone == neighbours


def test_the_path_finder_draws_the_link(investigator: Explorer) -> None:
    investigator.search(BUILDER)
    wu = investigator.node(name="吴芳")  # a shareholder of the builder, not of the listed firm
    investigator.page.click("#paths")
    investigator.page.fill("#path-from", wu["id"])
    investigator.page.fill("#path-to", LISTED)
    investigator.page.click("#path-find")
    investigator.idle()
    found = investigator.page.locator("#paths-found").inner_text()
    assert re.match(r"找到 \d+ 条路径", found), found
    lit = [e for e in investigator.edges() if "path" in e["classes"]]
    assert len(lit) >= 2
    path_text = investigator.page.locator("#path-list").inner_text()
    assert "吴芳 — 武汉某某建设工程有限公司 — 武汉某某商贸有限公司" in path_text
    investigator.shot("paths")


def test_the_time_bar_redraws_the_graph_as_of_a_date(investigator: Explorer) -> None:
    investigator.search(BUILDER)
    assert investigator.node(eid=LISTED)["status"] == "listed"
    assert any(e["type"] == "LEGAL_REPRESENTATIVE_OF" for e in investigator.edges())
    investigator.page.fill("#as-of", "2015-06-01")  # before 周明 became legal rep in 2016
    investigator.page.dispatch_event("#as-of", "change")
    investigator.idle()
    assert investigator.node(eid=LISTED)["status"] != "listed"  # listed only in 2025
    assert not any(e["type"] == "LEGAL_REPRESENTATIVE_OF" for e in investigator.edges())
    assert investigator.page.locator("#as-of").input_value() == "2015-06-01"
    panel = investigator.page.locator("#panel")  # the profile again, as of the date
    panel.get_by_text("无不良记录").wait_for()
    assert "与失信主体关联" not in panel.inner_text()
    investigator.shot("time-bar")
    investigator.page.click("#today")
    investigator.idle()
    assert investigator.node(eid=LISTED)["status"] == "listed"


def test_a_check_draws_the_chain_of_each_reason(investigator: Explorer) -> None:
    investigator.search(BUILDER)
    rep = investigator.node(name="周明")
    investigator.click(rep["id"])
    investigator.page.select_option("#matter", "procurement")
    investigator.page.click("#run-check")
    investigator.idle()
    verdict = investigator.page.locator("#verdict").inner_text()
    assert "限制" in verdict, verdict
    reasons = investigator.page.locator(".reason")
    assert reasons.count() >= 1
    text = investigator.page.locator("#panel").inner_text()
    assert "重大税收违法失信主体" in text and "法定代表人" in text
    chain = [e for e in investigator.edges() if "chain-restrict" in e["classes"]]
    assert any(e["type"] == "LEGAL_REPRESENTATIVE_OF" for e in chain)
    investigator.shot("check")


def test_equity_and_clusters(investigator: Explorer) -> None:
    investigator.search(BUILDER)
    investigator.select(investigator.node(eid=BUILDER)["id"])
    investigator.page.click("#equity-up")
    investigator.idle()
    stakes = investigator.page.locator("#stakes").inner_text()
    assert "%" in stakes
    assert any("穿透持股" in n["label"] for n in investigator.nodes()), investigator.nodes()
    investigator.page.click("#clusters")
    investigator.page.locator("#cluster-list li").first.wait_for()
    investigator.page.locator("#cluster-list li a").first.click()
    investigator.idle()
    assert re.search(r"评分: \d", investigator.page.locator("#panel").inner_text())
    assert any(e["type"] == "CLUSTER" for e in investigator.edges())
    investigator.shot("clusters")


def test_a_shared_link_restores_the_view_and_exports_work(
    investigator: Explorer, browser: Any, service: Service
) -> None:
    investigator.search(BUILDER)
    investigator.select(investigator.node(name="周明")["id"])
    investigator.page.click("#hide")
    drawn = {n["id"] for n in investigator.nodes()}
    link = investigator.page.url
    view = investigator.page.evaluate("window.explorer.viewJson()")
    assert {n["id"] for n in view["nodes"]} >= {BUILDER, LISTED}
    with investigator.page.expect_download() as download:
        investigator.page.click("#export-png")
    png = Path(download.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000
    with investigator.page.expect_download() as download:
        investigator.page.click("#export-json")
    exported = json.loads(Path(download.value.path()).read_text())
    assert exported["operations"] and len(exported["nodes"]) == len(drawn)

    fragment = link.split("#", 1)[1]
    again = Explorer(browser, service, "investigator", "&" + fragment)
    try:
        again.purpose()
        again.page.wait_for_function("window.explorer.cy.nodes().length > 0")
        again.idle()
        assert {n["id"] for n in again.nodes()} == drawn  # 周明 stays hidden
        assert "周明" not in {n["name"] for n in again.nodes()}
    finally:
        again.close()


def test_public_sees_people_masked(browser: Any, service: Service) -> None:
    public = Explorer(browser, service, "public")
    try:
        assert "public" in public.page.locator("#who").inner_text()
        assert public.page.locator("#paths").is_disabled()  # investigators only
        shown = public.search(BUILDER)
        assert any(BUILDER in s for s in shown)
        public.double_click(BUILDER)
        people = [n for n in public.nodes() if n["kind"] == "person"]
        assert people and all(re.fullmatch(r".\*+", n["name"]) for n in people)
        assert "周*" in {n["name"] for n in people}
        assert not any(n["name"] in ("周明", "吴芳") for n in public.nodes())
        public.click(people[0]["id"])
        assert "按你的角色，此人已脱敏" in public.page.locator("#panel").inner_text()
        public.shot("public-masked")
    finally:
        public.close()


def test_english_interface(investigator: Explorer) -> None:
    investigator.search(BUILDER)
    investigator.page.click("#lang-button")
    assert investigator.page.locator("#expand").inner_text() == "Expand"
    legend = investigator.page.locator("#legend").inner_text()
    assert "Black-listed" in legend and "Reached by a listing" in legend
    labels = {e["label"] for e in investigator.edges()}
    assert any(label.startswith("legal rep.") for label in labels)
    investigator.shot("english")


def test_group_pin_filter_layout_and_connect(investigator: Explorer) -> None:
    investigator.search(BUILDER)
    zhou, wu = investigator.node(name="周明")["id"], investigator.node(name="吴芳")["id"]
    investigator.select(zhou, wu)
    investigator.page.click("#group")
    parents = investigator.page.evaluate(
        "ids => ids.map(id => window.explorer.cy.getElementById(id).parent().data('name'))",
        [zhou, wu],
    )
    assert parents == ["分组 1", "分组 1"]
    investigator.shot("group")

    investigator.select(BUILDER)
    investigator.page.click("#pin")
    where = investigator.page.evaluate(f"window.explorer.cy.getElementById('{BUILDER}').position()")
    investigator.page.select_option("#layout", "grid")
    investigator.idle()
    assert investigator.page.evaluate(f"window.explorer.cy.getElementById('{BUILDER}').locked()")
    moved = investigator.page.evaluate(f"window.explorer.cy.getElementById('{BUILDER}').position()")
    assert moved == where  # a pinned node stays where it was put

    assert any(e["type"] == "HAS_PHONE" for e in investigator.edges())
    investigator.page.click("#filter-box summary")
    investigator.page.locator("#filter input[value='HAS_PHONE']").uncheck()
    assert not any(e["type"] == "HAS_PHONE" for e in investigator.edges())
    assert any(e["type"] == "HAS_ADDRESS" for e in investigator.edges())

    investigator.select(wu, LISTED, BUILDER)
    investigator.page.click("#connect")
    investigator.idle()
    panel = investigator.page.locator("#panel").inner_text()
    assert "关联关系" in panel and "吴芳" in panel and "武汉某某商贸有限公司" in panel
    lit = [e for e in investigator.edges() if "path" in e["classes"]]
    assert len(lit) >= 2


def test_undo_takes_back_a_date_change(investigator: Explorer) -> None:
    investigator.search(BUILDER)
    investigator.page.fill("#as-of", "2015-06-01")
    investigator.page.dispatch_event("#as-of", "change")
    investigator.idle()
    assert investigator.node(eid=LISTED)["status"] != "listed"
    investigator.page.click("#undo")
    assert investigator.node(eid=LISTED)["status"] == "listed"
    assert investigator.page.locator("#as-of").input_value() != "2015-06-01"
    assert any(e["type"] == "LEGAL_REPRESENTATIVE_OF" for e in investigator.edges())


def test_search_by_citizen_id_number_needs_a_purpose(browser: Any, service: Service) -> None:
    page = Explorer(browser, service, "investigator")
    try:
        shown = page.search("42010219800101001X")  # 周明's, from the demo's registry
        assert any("涉及自然人的查询须填写查询事由" in s for s in shown)
        page.purpose()
        shown = page.search("42010219800101001X")
        assert any(s.startswith("周明") for s in shown)  # in full, for an investigator
        assert page.node(name="周明")["kind"] == "person"
        assert "42010219800101001X" not in page.page.content()  # only in the search box
    finally:
        page.close()
