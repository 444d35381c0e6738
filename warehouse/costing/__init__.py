"""Margin costing engine: FIFO real cost with landed costs, perpetual and periodic CMUP, and the KPIs."""

from warehouse.costing.engine import CostingResult, compute_costs
from warehouse.costing.errors import CostingInputError

__all__ = ["CostingInputError", "CostingResult", "compute_costs"]
