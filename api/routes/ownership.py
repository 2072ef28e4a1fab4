"""Ownership and people: equity penetration, controllers, a person's roles, evasion."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from api.auth import GuardedRoute
from api.deps import AsOf, SettingsDep, StoreDep
from queries.equity import Controllers, Equity, EquityDirection, penetrate, ultimate_controllers
from queries.evasion import EvasionAnswer, EvasionScan, evasion, evasion_scan
from queries.person import PersonView, person_view
from queries.subject import subject_id, subject_ids

router = APIRouter(prefix="/v1", tags=["ownership"], route_class=GuardedRoute)

Subject = Annotated[
    str,
    Path(
        description="USCC, citizen ID number, legacy code or entity id",
        examples=["91420102MA4K00010N"],
    ),
]
PersonSubject = Annotated[
    str,
    Path(
        description="USCC, citizen ID number, legacy code or entity id",
        examples=["person:6633eb826c16d6b465ad18e22e20991a"],
    ),
]
Threshold = Annotated[
    float, Query(ge=0.0, le=1.0, description="effective stake, a fraction", examples=[0.25])
]


@router.get("/entities/{id}/equity", summary="Equity penetration (股权穿透)")
def get_equity(
    id: Subject,
    store: StoreDep,
    settings: SettingsDep,
    direction: Annotated[EquityDirection, Query(examples=["down"])] = "up",
    max_depth: Annotated[int, Query(ge=1, le=50, examples=[5])] = 10,
    as_of: AsOf = None,
    threshold: Threshold = 0.0,
) -> Equity:
    """Ownership chains along SHAREHOLDER_OF: ``up`` to the ultimate holders, ``down`` to
    direct and indirect holdings; each chain's effective stake is the product of its ratios,
    each node's the sum over its chains. Cycles are reported, unknown ratios give unknown
    stakes, and chains below ``threshold`` are left out."""
    node_id = subject_id(store, id, settings.hash_key())
    return penetrate(
        store, node_id, direction=direction, max_depth=max_depth, as_of=as_of, threshold=threshold
    )


@router.get("/entities/{id}/controllers", summary="Ultimate controllers (实际控制人)")
def get_controllers(
    id: Subject,
    store: StoreDep,
    settings: SettingsDep,
    threshold: Threshold = 0.25,
    as_of: AsOf = None,
) -> Controllers:
    """Ultimate beneficial holders whose total effective stake reaches ``threshold``, and
    anyone recorded as actual controller of the company (``declared``), largest stake first."""
    node_id = subject_id(store, id, settings.hash_key())
    return ultimate_controllers(store, node_id, threshold=threshold, as_of=as_of)


@router.get("/persons/{id}/roles", summary="A person's roles over time")
def get_person_roles(
    id: PersonSubject, store: StoreDep, settings: SettingsDep, as_of: AsOf = None
) -> PersonView:
    """Legal representative, principal, executive, shareholder, actual controller and service
    roles with their periods (``current`` on ``as_of``); records about the person and about
    organisations decided while they held a role there; possibly-same persons."""
    node_id = subject_id(store, id, settings.hash_key())
    return person_view(store, node_id, as_of=as_of)


@router.get("/entities/{id}/evasion", summary="New shells of a black-listed subject")
def get_evasion(
    id: Subject, store: StoreDep, settings: SettingsDep, as_of: AsOf = None
) -> EvasionAnswer:
    """Organisations sharing the listed subject's people or phone / address that were
    established, or joined by a shared person, on or after a black listing in force on
    ``as_of``; 422 when the subject has no black listing in force."""
    node_id = subject_id(store, id, settings.hash_key())
    return evasion(store, node_id, as_of=as_of)


class ScanRequest(BaseModel):
    """Many subjects (e.g. this month's new black listings) checked for evasion at once."""

    subjects: list[str] = Field(
        min_length=1, max_length=500, examples=[["91420102MA4K00010N", "91420102MA4K00029K"]]
    )
    as_of: date | None = Field(default=None, examples=["2026-07-01"])
    purpose: str | None = Field(default=None, examples=["本月新增失信被执行人换壳核查"])


@router.post("/evasion", summary="New shells of many black-listed subjects at once")
def post_evasion(
    request: Request, body: ScanRequest, store: StoreDep, settings: SettingsDep
) -> EvasionScan:
    """One evasion answer per subject with a black listing in force; the subjects without
    one are named under ``not_listed``, the unknown ones under ``not_found`` (ID numbers
    masked)."""
    request.state.purpose = body.purpose
    ids, missing = subject_ids(store, body.subjects, settings.hash_key())
    scan = evasion_scan(store, ids, as_of=body.as_of)
    scan.not_found = missing + scan.not_found
    return scan
