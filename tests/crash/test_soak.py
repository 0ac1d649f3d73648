"""The soak script (scripts/soak.py) in its short form: many fresh environments with arithmetic,
guards, parsing, evaluation and trace_symbolic, in a subprocess, with peak memory flat after the
warm-up. Also checks that the check can fail: keeping every environment alive must trip it."""

import subprocess
import sys
from pathlib import Path

SOAK = Path(__file__).resolve().parents[2] / "scripts" / "soak.py"


def run_soak(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SOAK), "--short", *args], capture_output=True, text=True, timeout=600, check=False
    )


def test_short_soak_memory_is_flat():
    proc = run_soak()
    assert proc.returncode == 0, f"stdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
    assert proc.stdout.strip().endswith("soak ok")
    summary = proc.stdout.strip().splitlines()[-2]
    operations = int(summary.split(" symbolic operations")[0].split()[-1])
    assert operations >= 15_000, summary


def test_soak_detects_a_leak():
    proc = run_soak("--leak", "--envs", "80")
    assert proc.returncode == 1, proc.stdout
    assert "soak FAILED: peak RSS grew" in proc.stderr
