"""The `omnicanal sandbox generate`, `sandbox reset` and `sandbox up` commands."""

from __future__ import annotations

import contextlib
import json
import signal
from pathlib import Path

import pytest

from flows.cli import main


def test_generate_writes_a_world_and_reset_starts_over(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["sandbox", "generate", "--output", str(tmp_path / "w"), "--seed", "5", "--scale", "0.1"]) == 0
    )
    assert "prestashop: products" in capsys.readouterr().out
    assert json.loads((tmp_path / "w" / "world.json").read_text())["seed"] == 5
    data = tmp_path / "data"
    assert main(["sandbox", "reset", "--data-dir", str(data), "--seed", "6", "--scale", "0.1"]) == 0
    world = data / "sandbox" / "world.json"
    first = world.read_bytes()
    (data / "sandbox" / "ground_truth.json").write_text("{}")
    assert main(["sandbox", "reset", "--data-dir", str(data), "--seed", "6", "--scale", "0.1"]) == 0
    assert (
        world.read_bytes() == first
        and json.loads((data / "sandbox" / "ground_truth.json").read_text())["counts"]
    )


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl_c", "sigterm"])
def test_sandbox_up_prints_urls_and_keys_and_stops_its_emulators_on_a_signal(
    tmp_path: Path, stop: signal.Signals
) -> None:
    import os
    import subprocess
    import sys

    import requests

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    cmd = [
        sys.executable,
        "-c",
        "import sys; from flows.cli import main; sys.exit(main())",
        "sandbox",
        "up",
        "--data-dir",
        str(tmp_path),
        "--scale",
        "0.1",
        "--seed",
        "3",
    ]
    # its own process group: a failed test kills the command and its emulators together
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env, start_new_session=True)
    try:
        lines = []
        for line in proc.stdout:  # type: ignore[union-attr]
            lines.append(line)
            if line.startswith("Ctrl-C"):
                break
        text = "".join(lines)
        url = next(w for w in text.split() if w.startswith("http://127.0.0.1") and w.endswith("/api"))
        key = text.split("key ", 1)[1].split()[0]
        assert requests.get(f"{url}/products", auth=(key, ""), timeout=10).status_code == 200
        # (a shell running the suite in the background makes its children ignore SIGINT: handled anyway)
        proc.send_signal(stop)
        assert proc.wait(timeout=30) == 0
        assert "DOLAPIKEY" in text and "curl" in text
        with pytest.raises(requests.ConnectionError):  # the emulators are stopped, not left behind
            requests.get(f"{url}/products", auth=(key, ""), timeout=10)
    finally:
        with contextlib.suppress(ProcessLookupError):  # whatever is left of the group (nothing when passed)
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
