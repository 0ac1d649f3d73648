"""The console entry point: `symcore` / `python -m symcore` (the README's first command)."""

import subprocess
import sys


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "symcore", *args], capture_output=True, text=True, timeout=120)


def test_demo_runs_and_shows_forms_guards_and_speed():
    result = _run()
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "(4*seq + 3) // 4" in out
    assert "seq % 128 == 0" in out  # the guard the attention helper relied on
    assert "demo.py:" in out  # with its source line
    assert "ns per layer" in out
    assert result.stderr == ""


def test_demo_is_the_default_command():
    assert _run("demo").stdout.splitlines()[:3] == _run().stdout.splitlines()[:3]


def test_unknown_command_is_a_usage_error():
    result = _run("bogus")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_closed_pipe_is_not_an_error():
    proc = subprocess.Popen([sys.executable, "-m", "symcore"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.readline()
    proc.stdout.close()  # the reader leaves early, like `symcore | head -1`
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0
    assert b"Traceback" not in err
