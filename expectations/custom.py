"""Custom GX 1.x expectations the built-ins lack: EAN-13 check digit, whole numbers, a total matching its parts."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from great_expectations.compatibility import pydantic
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation, MulticolumnMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnMapMetricProvider,
    MulticolumnMapMetricProvider,
    column_condition_partial,
    multicolumn_condition_partial,
)
from great_expectations.render import RenderedStringTemplateContent
from great_expectations.render.components import LegacyRendererType
from great_expectations.render.renderer.renderer import renderer

# EAN-13 weights of the first twelve digits, left to right.
_EAN_WEIGHTS = np.array([1, 3] * 6)


def ean13_is_valid(values: pd.Series) -> pd.Series:
    """True where a value is 13 digits whose last digit is the GS1 check digit of the first twelve."""
    text = values.astype("string")
    well_formed = text.str.fullmatch(r"\d{13}").fillna(False).astype(bool)
    valid = pd.Series(False, index=values.index)
    if well_formed.any():
        digits = np.array([list(code) for code in text[well_formed]], dtype=np.int64)
        check = (10 - (digits[:, :12] @ _EAN_WEIGHTS) % 10) % 10
        valid[well_formed] = check == digits[:, 12]
    return valid


def _sentence(template: str, params: dict[str, Any]) -> list[RenderedStringTemplateContent]:
    """What Data Docs shows for a custom expectation: one sentence with its parameters."""
    return [
        RenderedStringTemplateContent(
            content_block_type="string_template",
            string_template={
                "template": template,
                "params": params,
                "styling": {"default": {"classes": ["badge"]}},
            },
        )
    ]


def _kwargs(configuration: Any) -> dict[str, Any]:
    return dict(configuration.kwargs) if configuration is not None else {}


class ColumnValuesValidEan13(ColumnMapMetricProvider):
    """Metric: each value is an EAN-13 code with a valid check digit."""

    condition_metric_name = "column_values.valid_ean13"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **kwargs: Any) -> pd.Series:
        return ean13_is_valid(column)


class ExpectColumnValuesToBeValidEan13(ColumnMapExpectation):
    """Expect column values to be 13-digit EAN codes whose check digit is right (nulls are ignored)."""

    map_metric = "column_values.valid_ean13"
    success_keys = ("mostly",)
    library_metadata: ClassVar[dict[str, Any]] = {"tags": ["omnicanal"], "contributors": ["omnicanal"]}

    @classmethod
    @renderer(renderer_type=LegacyRendererType.PRESCRIPTIVE)
    def _prescriptive_renderer(cls, configuration=None, result=None, runtime_configuration=None, **kwargs):  # noqa: ANN001, ANN206
        return _sentence(
            "$column values must be 13 digits with a valid EAN-13 check digit.", _kwargs(configuration)
        )


class ColumnValuesWholeNumber(ColumnMapMetricProvider):
    """Metric: each value is a whole number (quantities counted in pieces)."""

    condition_metric_name = "column_values.whole_number"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **kwargs: Any) -> pd.Series:
        numbers = pd.to_numeric(column, errors="raise").astype("float64")
        return (numbers % 1 == 0).fillna(False).astype(bool)


class ExpectColumnValuesToBeWholeNumbers(ColumnMapExpectation):
    """Expect column values to be whole numbers, as a quantity of pieces is (nulls are ignored)."""

    map_metric = "column_values.whole_number"
    success_keys = ("mostly",)
    library_metadata: ClassVar[dict[str, Any]] = {"tags": ["omnicanal"], "contributors": ["omnicanal"]}

    @classmethod
    @renderer(renderer_type=LegacyRendererType.PRESCRIPTIVE)
    def _prescriptive_renderer(cls, configuration=None, result=None, runtime_configuration=None, **kwargs):  # noqa: ANN001, ANN206
        return _sentence("$column values must be whole numbers.", _kwargs(configuration))


class MulticolumnTotalMatchesParts(MulticolumnMapMetricProvider):
    """Metric: the first column equals the signed sum of the others, within a tolerance."""

    condition_metric_name = "multicolumn_values.total_matches_parts"
    condition_domain_keys = (
        "batch_id",
        "table",
        "column_list",
        "row_condition",
        "condition_parser",
        "ignore_row_if",
    )
    condition_value_keys = ("part_signs", "tolerance")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, part_signs: list[int], tolerance: float, **kwargs: Any):
        frame = column_list.apply(pd.to_numeric, errors="raise").astype("float64")
        total = frame.iloc[:, 0]
        # a missing part (no shipping line, no discount) counts as zero; a missing total does not match
        parts = frame.iloc[:, 1:].fillna(0.0) @ np.asarray(part_signs, dtype="float64")
        # the small epsilon absorbs binary rounding of amounts that differ by exactly the tolerance
        return ((total - parts).abs() <= tolerance + 1e-9).fillna(False).astype(bool)


class ExpectColumnTotalToMatchParts(MulticolumnMapExpectation):
    """Expect the first column of `column_list` to equal the signed sum of the other columns within `tolerance`.

    `part_signs` gives +1 or -1 for each part: an order total is lines + shipping - discounts, so
    `column_list=[total, lines, shipping, discounts]` and `part_signs=[1, 1, -1]`.
    """

    part_signs: list[int] = pydantic.Field(description="+1 or -1 for each part column, in order")
    tolerance: float = pydantic.Field(default=0.01, description="largest accepted absolute difference")
    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "never"

    map_metric = "multicolumn_values.total_matches_parts"
    success_keys = ("mostly", "part_signs", "tolerance")
    args_keys = ("column_list", "part_signs", "tolerance")
    library_metadata: ClassVar[dict[str, Any]] = {"tags": ["omnicanal"], "contributors": ["omnicanal"]}

    @classmethod
    @renderer(renderer_type=LegacyRendererType.PRESCRIPTIVE)
    def _prescriptive_renderer(cls, configuration=None, result=None, runtime_configuration=None, **kwargs):  # noqa: ANN001, ANN206
        params = _kwargs(configuration)
        columns, signs = params.get("column_list") or [""], params.get("part_signs") or []
        parts = " ".join(
            f"{'+' if sign > 0 else '-'} {column}" for sign, column in zip(signs, columns[1:], strict=False)
        )
        tolerance = params.get("tolerance", 0.01)
        params["formula"] = f"{columns[0]} = {parts.removeprefix('+ ')}, within {tolerance}"
        return _sentence("$formula.", params)

    @pydantic.root_validator(skip_on_failure=True)
    def _signs_match_parts(cls, values: dict[str, Any]) -> dict[str, Any]:
        columns, signs = values.get("column_list") or [], values.get("part_signs") or []
        if len(signs) != len(columns) - 1 or any(sign not in (1, -1) for sign in signs):
            raise ValueError("part_signs needs one +1 or -1 per part column (every column but the first)")
        return values
