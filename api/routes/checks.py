"""Approval checks, propagation and exposure, and the measure catalogue they cite."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from api.auth import GuardedRoute
from api.deps import AsOf, CatalogueDep, SettingsDep, StoreDep
from graph.audit import answer_of
from graph.measures import Matter, Measure
from queries.check import MAX_BATCH, BatchResult, CheckResult, Verdict, check, check_many
from queries.exposure import Exposure, Propagation, exposure, propagation
from queries.subject import subject_id, subject_ids

router = APIRouter(prefix="/v1", tags=["checks"], route_class=GuardedRoute)

Purpose = Annotated[
    str | None,
    Query(max_length=500, description="why (logged with the answer)", examples=["采购资格审查"]),
]
Subject = Annotated[
    str,
    Query(
        max_length=100,
        description="USCC, citizen ID number or entity id",
        examples=["91420102MA4K00029K"],
    ),
]
Listed = Annotated[str, Path(examples=["91420102MA4K00010N"])]
MatterQuery = Annotated[Matter, Query(examples=["procurement"])]


class BatchRequest(BaseModel):
    """Several subjects (e.g. the bidders of one tender) checked on one matter and date.

    Unknown or invalid subjects do not fail the batch: they are listed under ``not_found``.
    """

    subjects: list[Annotated[str, Field(max_length=100)]] = Field(
        min_length=1, max_length=MAX_BATCH, examples=[["91420102MA4K00010N", "91420102MA4K00029K"]]
    )
    matter: Matter = Field(examples=["bidding"])
    as_of: date | None = Field(default=None, examples=["2026-07-01"])
    purpose: str | None = Field(
        default=None, max_length=500, examples=["招标 WH-2026-031 资格审查"]
    )


@router.get("/check", summary="May this subject get this matter on this date?")
def get_check(
    request: Request,
    subject: Subject,
    matter: MatterQuery,
    store: StoreDep,
    settings: SettingsDep,
    catalogue: CatalogueDep,
    as_of: AsOf = None,
    purpose: Purpose = None,
) -> CheckResult:
    """A verdict (restrict, review, incentive or pass) with every reason: the measure, its
    legal basis and implementing authority, the triggering record and the path to it; and a
    receipt that repeats for the same inputs, data and catalogue version."""
    node = subject_id(store, subject, settings.hash_key(), verify=False)  # check raises 404
    result = check(store, catalogue, node, matter, as_of=as_of)
    request.state.answer = answer_of(result)  # the audit trail keeps verdict and receipt
    return result


@router.post("/checks", summary="Check a list of subjects, e.g. every bidder of a tender")
def post_checks(
    request: Request,
    body: BatchRequest,
    store: StoreDep,
    settings: SettingsDep,
    catalogue: CatalogueDep,
) -> BatchResult:
    """One result per subject, in the order given, and the count of each verdict."""
    nodes, missing = subject_ids(store, body.subjects, settings.hash_key())
    if nodes:
        batch = check_many(store, catalogue, nodes, body.matter, as_of=body.as_of)
    else:  # every subject unknown or invalid: an empty batch naming them, not an error
        counts = dict.fromkeys(Verdict, 0)
        day = body.as_of or date.today()
        batch = BatchResult(matter=body.matter, as_of=day, results=[], counts=counts)
    batch.not_found = missing
    request.state.answer = answer_of(batch)
    return batch


@router.get("/entities/{subject}/propagation", summary="Everyone a listed entity's records reach")
def get_propagation(
    subject: Listed,
    store: StoreDep,
    settings: SettingsDep,
    catalogue: CatalogueDep,
    as_of: AsOf = None,
) -> Propagation:
    """For each in-force list entry of the entity: the entity and the persons a measure names
    (legal representative, principal, actual controller, ...), with measures and matters."""
    node = subject_id(store, subject, settings.hash_key())
    return propagation(store, catalogue, node, as_of=as_of)


@router.get("/entities/{subject}/exposure", summary="Every record that reaches an entity")
def get_exposure(
    subject: Annotated[str, Path(examples=["91420102MA4K00029K"])],
    store: StoreDep,
    settings: SettingsDep,
    catalogue: CatalogueDep,
    as_of: AsOf = None,
) -> Exposure:
    """Its own entries, entries of organisations where it holds a named role, and (linked)
    entries of entities within two links."""
    node = subject_id(store, subject, settings.hash_key())
    return exposure(store, catalogue, node, as_of=as_of)


@router.get("/catalogue/measures", summary="The joint-punishment and incentive measures")
def list_measures(
    catalogue: CatalogueDep,
    matter: Annotated[Matter | None, Query(examples=["bidding"])] = None,
) -> list[Measure]:
    """Every catalogued measure (optionally for one matter), with its legal basis."""
    return [m for m in catalogue.measures if matter is None or matter in m.matters]
