"""Two runs of one merchant never overlap: the data-folder lock refuses the second at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flows.guard import RunAlreadyInProgress, data_dir_lock, limit_name


def test_second_process_is_refused_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from flows.guard import data_dir_lock\n"
        "with data_dir_lock(Path(sys.argv[1])):\n"
        "    print('held', flush=True); sys.stdin.readline()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(RunAlreadyInProgress, match=f"process {holder.pid}"):
            with data_dir_lock(tmp_path):
                pass
    finally:
        holder.communicate("\n", timeout=10)
    # once released, the lock is free again
    with data_dir_lock(tmp_path):
        pass


def test_limit_name_is_a_valid_prefect_name() -> None:
    assert limit_name("Maison Exemple & Fils") == "omnicanal-sync-maison-exemple-fils"
