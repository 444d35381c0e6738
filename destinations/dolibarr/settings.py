"""Dolibarr destination constants: concurrency, the codes omnicanal writes, the shipping line."""

from __future__ import annotations

# Written against the REST API of Dolibarr 23.0.1 (../shared/reference/api-contracts.md section 6.5).
# Records written in parallel; each is a short sequence of calls (look up, create, validate, re-read).
CONCURRENCY = 4
# Records per batch of outcomes handed back (and logged) at once.
BATCH = 50
# Names the writes in Dolibarr's triggers, so an integrator can avoid sync loops.
CALLER = "omnicanal"
# Stock movement codes omnicanal writes start with this, followed by the channel order and the line rank.
MOVEMENT_PREFIX = "OMNI"
# The shipping of a channel order becomes a service line without product, as the ERP's own imports do.
SHIPPING_LABEL = "Frais de port"
# Characters `sqlfilters` cannot carry inside a quoted value.
UNSAFE_FILTER_CHARS = frozenset("'()")
