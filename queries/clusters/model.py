"""Risk clusters: what a run finds, how it is parametrised, and what changed between runs.

A run builds a risk graph on one date (risky subjects and what joins them, each kind of
evidence with its weight), finds clusters in it (connected components, communities inside
large ones), scores and explains each, and is kept with its parameters and data version;
the next run is compared with it (new, grown, shrunk, merged, split, dissolved), clusters
keeping a stable id across runs.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from graph.vocabulary import Label


class Evidence(StrEnum):
    """A kind of link between two subjects of the risk graph."""

    LEGAL_ROLE = "legal_role"  # the same person is legal rep / principal / executive of both
    SHAREHOLDER = "shareholder"  # the same person or organisation holds shares in both
    EQUITY = "equity"  # one holds shares in the other
    ACTUAL_CONTROLLER = "actual_controller"  # the same actual controller, or one controls the other
    PHONE = "phone"  # a shared phone number
    ADDRESS = "address"  # a shared address


class RiskStatus(StrEnum):
    """Why a member is in a cluster, strongest first."""

    LISTED = "listed"  # an in-force black-list entry on the run's date
    PENALISED = "penalised"  # an administrative penalty decided within the look-back
    LINKED = "linked"  # no risk of its own: it joins risky subjects


class Params(BaseModel):
    """What a run is asked to do; kept with the run (defaults: queries/clusters/weights.yaml)."""

    model_config = ConfigDict(frozen=True)

    as_of: date
    weights: dict[Evidence, float]  # weight of one link of each kind of evidence
    hub_cap: int = Field(gt=1)  # a person or contact point joining more subjects is a hub
    min_weight: float = Field(ge=0)  # pairs joined by less total weight are not linked
    community_size: int = Field(gt=1)  # components larger than this are split into communities
    penalty_days: int = Field(ge=0)  # penalties decided this many days before as_of count
    min_risky: int = Field(ge=1)  # a cluster has at least this many listed or penalised members


class Member(BaseModel):
    """A subject in a cluster: its status and the records behind it."""

    id: str
    label: Label
    name: str
    status: RiskStatus
    records: list[str] = Field(default_factory=list)  # in-force entries and counted penalties


class Link(BaseModel):
    """Evidence joining two members: its kind, what they share (a person, phone, address;
    None for a direct equity or control link) and the weight it counts for (hubs damped)."""

    source_id: str
    target_id: str
    evidence: Evidence
    via: str | None = None
    weight: float


class EvasionSignal(BaseModel):
    """A listed member resurfacing: an organisation in the cluster established, or joined by
    a shared person, on or after the listing (see queries/evasion.py)."""

    listed_id: str
    organisation_id: str
    since: date  # the listing's date
    suspicious_date: date  # when the organisation was established or joined
    shared: list[str]  # the persons or contact points shared


class Cluster(BaseModel):
    """One cluster of a run. ``key`` is derived from its members (same members, same key);
    ``id`` is its stable identity across runs, given by the run history."""

    key: str
    id: str | None = None
    members: list[Member]
    score: float
    statuses: dict[RiskStatus, int]
    evidence: dict[Evidence, int]  # links of each kind
    strongest: list[Link]  # the heaviest links, heaviest first (at most 10)
    listed: list[str]  # ids of listed members
    evasion: list[EvasionSignal] = Field(default_factory=list)
    explanation: str  # one paragraph a person can read


class ClusterRun(BaseModel):
    """One run of the job: its parameters, the data it saw, its clusters (highest score
    first) and how long each stage took."""

    run_id: str
    started_at: datetime
    finished_at: datetime
    params: Params
    data_version: str  # changes when the data the run reads changes
    clusters: list[Cluster]
    stages: dict[str, float] = Field(default_factory=dict)  # seconds per stage
    counts: dict[str, int] = Field(default_factory=dict)  # risk graph size, hubs damped, ...


class ChangeKind(StrEnum):
    """How a cluster changed from the previous run."""

    NEW = "new"
    GROWN = "grown"
    SHRUNK = "shrunk"
    MERGED = "merged"  # several previous clusters are now one
    SPLIT = "split"  # one previous cluster is now several
    DISSOLVED = "dissolved"  # gone (repaired, expired, links ended)


class Change(BaseModel):
    """One change between two runs, with the members that came and went."""

    kind: ChangeKind
    cluster_id: str  # the current cluster's stable id (the old one when dissolved)
    previous_ids: list[str] = Field(default_factory=list)
    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    score: float | None = None  # the current score (None when dissolved)


class RunDiff(BaseModel):
    """What changed from ``previous_run_id`` (None for a first run) to ``run_id``."""

    run_id: str
    previous_run_id: str | None
    as_of: date
    changes: list[Change]
