"""dbt failures are reported by what went wrong, not by the first lines of a traceback."""

from __future__ import annotations

from flows.build import _reason


def test_a_python_model_failure_shows_the_exception_line() -> None:
    message = (
        'Python model failed:\nTraceback (most recent call last):\n  File "x.py", line 3, in model\n'
        "    raise CostingInputError(...)\nwarehouse.costing.errors.CostingInputError: int_costing__returns, "
        "record erp:1065: a return of 3 units exceeds the 2 sold\n"
    )
    assert _reason(message) == (
        "warehouse.costing.errors.CostingInputError: int_costing__returns, record erp:1065: "
        "a return of 3 units exceeds the 2 sold"
    )


def test_a_sql_failure_keeps_its_text_on_one_line() -> None:
    assert _reason("Binder Error: column\n  x does not exist") == "Binder Error: column x does not exist"
