"""Approval checks, propagation and exposure, and the measure catalogue they cite."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from api.deps import CatalogueDep, SettingsDep, StoreDep
from graph.audit import answer_of
from graph.measures import Matter, Measure
from queries.check import MAX_BATCH, BatchResult, CheckResult, check, check_many
from queries.exposure import Exposure, Propagation, exposure, propagation
from queries.subject import subject_id

router = APIRouter(tags=["checks"])

AsOf = Annotated[date | None, Query(description="answer as of this date (default today)")]
Purpose = Annotated[str | None, Query(description="why (logged with the answer)")]
Subject = Annotated[str, Query(description="USCC, citizen ID number or entity id")]


class BatchRequest(BaseModel):
    """Several subjects (e.g. the bidders of one tender) checked on one matter and date."""

    subjects: list[str] = Field(min_length=1, max_length=MAX_BATCH)
    matter: Matter
    as_of: date | None = None
    purpose: str | None = None


@router.get("/check", summary="May this subject get this matter on this date?")
def get_check(
    request: Request,
    subject: Subject,
    matter: Matter,
    store: StoreDep,
    settings: SettingsDep,
    catalogue: CatalogueDep,
    as_of: AsOf = None,
    purpose: Purpose = None,
) -> CheckResult:
    """A verdict (restrict, review, incentive or pass) with every reason: the measure, its
    legal basis and implementing authority, the triggering record and the path to it; and a
    receipt that repeats for the same inputs, data and catalogue version."""
    node = subject_id(store, subject, settings.hash_key())
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
    key = settings.hash_key()
    nodes = [subject_id(store, s, key) for s in body.subjects]
    batch = check_many(store, catalogue, nodes, body.matter, as_of=body.as_of)
    request.state.answer = answer_of(batch)
    request.state.purpose = body.purpose
    return batch


@router.get("/entities/{subject}/propagation", summary="Everyone a listed entity's records reach")
def get_propagation(
    subject: str,
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
    subject: str,
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
def list_measures(catalogue: CatalogueDep, matter: Matter | None = None) -> list[Measure]:
    """Every catalogued measure (optionally for one matter), with its legal basis."""
    return [m for m in catalogue.measures if matter is None or matter in m.matters]
