"""Shared toolkit of the API sources: retrying HTTP, typed arrow batches, run windows, deletion tombstones."""
