"""Run one benchmark step as a module and report the peak RSS of this process image alone.

`python -m bench.measure PEAK_FILE MODULE [ARGS...]` runs `python -m MODULE ARGS...` in this process and,
when it ends, writes `VmHWM` (the high-water mark of the memory map created at `exec`) to PEAK_FILE.
The kernel's `ru_maxrss` of a child (what `os.wait4` returns) cannot be used: at `exec` the child takes
over its parent's peak as a floor, so a step started by a driver that once held 700 MB would report at
least 700 MB.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path


def peak_rss_bytes() -> int:
    """This process image's peak resident set (`VmHWM` of /proc/self/status), in bytes."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def main() -> None:
    peak_file, module, *args = sys.argv[1:]
    sys.argv = [module, *args]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    finally:
        Path(peak_file).write_text(str(peak_rss_bytes()), encoding="ascii")


if __name__ == "__main__":
    main()
