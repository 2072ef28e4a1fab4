"""The parameters of a risk-cluster run: defaults from weights.yaml, validated, overridable."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from graph.errors import InvalidInput
from queries.clusters.model import Evidence, Params

DEFAULTS = "weights.yaml"


def _text(path: Path | None) -> tuple[str, str]:
    if path is None:
        return resources.files("queries.clusters").joinpath(DEFAULTS).read_text("utf-8"), DEFAULTS
    return path.read_text("utf-8"), str(path)


def load_params(as_of: date, path: Path | None = None, **overrides: Any) -> Params:
    """Params for a run on ``as_of``: the file's values (default: the shipped weights.yaml),
    then ``overrides`` (a partial ``weights`` mapping is merged into the file's). Every
    evidence kind needs a weight >= 0; an unknown key, a missing one or a bad value raises
    InvalidInput naming the field.

    >>> load_params(date(2026, 11, 26)).weights[Evidence.LEGAL_ROLE]
    1.0
    >>> load_params(date(2026, 11, 26), min_risky=1).min_risky
    1
    """
    text, where = _text(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{where}: not YAML: {exc}", field="weights.yaml") from exc
    if not isinstance(data, dict):
        raise InvalidInput(f"{where}: expected a mapping of parameters", field="weights.yaml")
    known = set(Params.model_fields) - {"as_of"}
    for key in [*data, *overrides]:
        if key not in known:
            raise InvalidInput(f"{where}: {key}: not a parameter", field=str(key))
    weights = data.get("weights")
    if not isinstance(weights, dict):
        raise InvalidInput(f"{where}: weights: expected a mapping", field="weights")
    weights = {**weights, **overrides.pop("weights", {})}
    for kind in weights:
        if kind not in set(Evidence):
            raise InvalidInput(f"{where}: weights.{kind}: not an evidence kind", field="weights")
    missing = sorted(set(Evidence) - set(weights))
    if missing:
        raise InvalidInput(f"{where}: weights: no weight for {missing}", field="weights")
    for kind, value in weights.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            message = f"{where}: weights.{kind}: must be a number >= 0, got {value!r}"
            raise InvalidInput(message, field=f"weights.{kind}")
    try:
        return Params.model_validate({**data, **overrides, "weights": weights, "as_of": as_of})
    except ValidationError as exc:
        error = exc.errors()[0]
        name = ".".join(str(x) for x in error["loc"])
        raise InvalidInput(f"{where}: {name}: {error['msg']}", field=name) from exc
