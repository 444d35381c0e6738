"""The sandbox world: a generated merchant and emulated PrestaShop and Dolibarr servers on 127.0.0.1."""

from sandbox.api import Admin, Endpoint, Sandbox

__all__ = ["Admin", "Endpoint", "Sandbox"]
