"""Configuration: file, secrets file and environment merge; secrets never print."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.config import Secret, load_settings
from flows.errors import ConfigError, one_line_reason


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_file_secrets_and_env_merge(tmp_path: Path) -> None:
    # GIVEN a config file, a secrets file beside it and an env override
    cfg = _write(
        tmp_path / ".omnicanal" / "config.toml",
        """
[merchant]
name = "Maison Test"
first_day = "2025-06-01"
[connections.erp]
kind = "dolibarr"
url = "https://erp.example.com/api/index.php/"
timezone = "Europe/Paris"
stock_warehouses = ["1", "2"]
[connections.shop_fr]
kind = "prestashop"
url = "https://shop.example.com/api"
safety_buffer = 2
""",
    )
    _write(tmp_path / ".omnicanal" / "secrets.toml", '[connections.erp]\napi_key = "erp-secret"\n')
    env = {"OMNICANAL__CONNECTIONS__SHOP_FR__API_KEY": "A" * 32, "OMNICANAL__PUSH__MAX_CHANGES_PER_RUN": "7"}

    # WHEN it is loaded
    settings = load_settings(cfg, environ=env)

    # THEN every source of configuration is merged, with defaults derived from the kind
    erp, shop = settings.connections["erp"], settings.connections["shop_fr"]
    assert (erp.kind, erp.role, erp.channel, erp.url) == (
        "dolibarr",
        "erp",
        None,
        "https://erp.example.com/api/index.php",
    )
    assert erp.api_key == Secret("erp-secret") and erp.options == {"stock_warehouses": ["1", "2"]}
    assert (shop.role, shop.channel, shop.safety_buffer, shop.api_key.get()) == (
        "channel",
        "web",
        2,
        "A" * 32,
    )
    assert settings.push.max_changes_per_run == 7
    assert settings.merchant.first_day.isoformat() == "2025-06-01"
    assert settings.data_dir == tmp_path / "data"
    assert settings.erp is erp and settings.channels() == [shop]
    # AND the secret never shows in a repr
    assert "erp-secret" not in repr(settings) and "AAAA" not in repr(settings)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[connections.x]\nkind = "nope"', "connections.x.kind"),
        ('[connections.x]\nkind = "prestashop"\ntimezone = "Mars/Base"', "unknown time zone"),
        ('[connections.x]\nkind = "prestashop"\nurl = "https://u:p@shop/api"', "not in the URL"),
        ('[connections.a]\nkind = "dolibarr"\n[connections.b]\nkind = "dolibarr"', "only one ERP"),
        ("[merchant\n", "not valid TOML"),
    ],
)
def test_bad_config_is_refused_with_the_key(tmp_path: Path, body: str, message: str) -> None:
    cfg = _write(tmp_path / "c.toml", body)
    with pytest.raises(ConfigError, match=message):
        load_settings(cfg, environ={})


def test_no_config_means_no_connection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert settings.connections == {} and settings.source_file is None


def test_select_unknown_connection_names_them(tmp_path: Path) -> None:
    cfg = _write(tmp_path / "c.toml", '[connections.erp]\nkind = "dolibarr"\n')
    with pytest.raises(ConfigError, match="unknown connection"):
        load_settings(cfg, environ={}).select(["shop"])


def test_one_line_reason_looks_through_wrappers() -> None:
    try:
        try:
            raise ValueError("connection webshop, resource orders, page 3: truncated body")
        except ValueError as inner:
            raise RuntimeError("pipeline step failed\nwith details") from inner
    except RuntimeError as outer:
        assert (
            one_line_reason(outer)
            == "ValueError: connection webshop, resource orders, page 3: truncated body"
        )
