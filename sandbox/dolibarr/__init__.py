"""Dolibarr 23.0.1 REST API emulator."""
