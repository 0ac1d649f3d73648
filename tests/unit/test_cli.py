"""The console entry point: `symcore` / `python -m symcore` — trace (the default), list, plot, demo —
run through a subprocess, with the documented exit codes."""

import json
import os
import stat
import subprocess
import sys

import pytest

from symcore.batch import TraceResult
from symcore.cli import EXIT_CODES


def _run(*args, env=None, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "symcore", *args], capture_output=True, text=True, timeout=300, env=env, cwd=cwd
    )


# -- demo ------------------------------------------------------------------------------------------


def test_demo_runs_and_shows_forms_guards_and_speed():
    result = _run("demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "(4*seq + 3) // 4" in out
    assert "seq % 128 == 0" in out  # the guard the attention helper relied on
    assert "demo.py:" in out  # with its source line
    assert "ns per layer" in out
    assert result.stderr == ""


# -- trace: the default command ------------------------------------------------------------------------


ZOO = ["gpt2:small", "llama:7b", "bert:base", "vit:b16", "resnet:18", "unet:base", "mixtral:8x7b"]


def test_no_command_traces_the_whole_zoo():
    result = _run()
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for spec in ZOO:
        assert f"\n{spec} " in "\n" + out  # a summary per model
    assert "7 traced, 0 failed" in out
    assert "FLOPs" in out and "peak" in out and "params" in out
    assert "36864*batch*seq**2 + 247222272*batch*seq" in out  # GPT-2 small's FLOPs formula
    assert "124,439,808" in out
    assert "guard    height >= 16  (vit.py:" in out  # a guard with its source line
    assert "output shapes" in out  # the table
    assert "Traceback" not in result.stderr
    assert result.stderr == ""  # no progress bar when stderr is not a terminal


def test_trace_named_models_with_dims_and_hints():
    result = _run("trace", "gpt2", "resnet:50", "--dynamic", "seq,height", "--hint", "batch=4", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    assert "output   out: [4, seq, 50257] float32" in result.stdout
    assert "output   out: [4, 1000] float32" in result.stdout
    assert "symbols  height=224" in result.stdout
    assert "2 traced, 0 failed" in result.stdout


def test_a_model_name_alone_is_a_trace():
    result = _run("gpt2", "--dynamic", "none")
    assert result.returncode == 0, result.stderr
    assert "symbols  (none: static)" in result.stdout


def test_show_graph_prints_the_full_graph():
    result = _run("trace", "resnet", "--show-graph")
    assert result.returncode == 0, result.stderr
    assert "graph(x):" in result.stdout and "symcore.ops.conv2d" in result.stdout
    assert "symcore.ops.conv2d" not in _run("trace", "resnet").stdout


def test_json_for_machines():
    result = _run("trace", "gpt2", "bert", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    names = [r["name"] for r in doc["results"]]
    assert names == ["gpt2:small", "bert:base"]
    gpt2 = doc["results"][0]
    assert gpt2["ok"] and gpt2["params"] == "124439808"
    assert gpt2["outputs"] == [["out", "[batch, seq, 50257] float32"]]


def test_out_dir_gets_text_json_and_dot(tmp_path):
    out = tmp_path / "runs"
    result = _run("trace", "gpt2", "unet", "--out", str(out))
    assert result.returncode == 0, result.stderr
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(
        ["index.json", "gpt2-small.txt", "gpt2-small.json", "gpt2-small.dot", "unet-base.txt", "unet-base.json",
         "unet-base.dot"]
    )  # fmt: skip
    text = (out / "unet-base.txt").read_text()
    for section in ("## guards (minimal)", "unet.py:", "## symbolic shapes", "## cost formulas", "## graph"):
        assert section in text
    r = TraceResult.from_dict(json.loads((out / "gpt2-small.json").read_text()))
    assert r.ok and r.at_hints["params"] == 124_439_808 and len(r.graph().nodes) == r.num_nodes
    assert (out / "gpt2-small.dot").read_text().startswith('digraph "gpt2:small" {')
    assert json.loads((out / "index.json").read_text())["results"][0]["ok"] is True


def _fake_dot(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    dot = bin_dir / "dot"
    # Stands in for Graphviz: checks it was given DOT and writes an SVG to the -o path.
    dot.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        "src = sys.stdin.read()\n"
        "assert src.startswith('digraph'), src[:40]\n"
        "path = sys.argv[sys.argv.index('-o') + 1]\n"
        "open(path, 'w').write('<svg xmlns=\"http://www.w3.org/2000/svg\"><!-- %d --></svg>' % len(src))\n"
    )
    dot.chmod(dot.stat().st_mode | stat.S_IEXEC)
    return bin_dir


def test_svg_via_graphviz(tmp_path):
    env = {**os.environ, "PATH": str(_fake_dot(tmp_path))}
    result = _run("trace", "resnet", "--out", str(tmp_path / "o"), "--format", "svg,json", env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "o" / "resnet-18.svg").read_text().startswith("<svg")
    assert not (tmp_path / "o" / "resnet-18.dot").exists()


def test_svg_without_graphviz_says_how_to_install_it(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # no dot here
    result = _run("trace", "resnet", "--out", str(tmp_path / "o"), "--format", "svg", env=env)
    assert result.returncode == 4
    assert "apt install graphviz" in result.stderr
    assert (tmp_path / "o" / "resnet-18.dot").exists()  # the DOT source instead


# -- errors and exit codes ---------------------------------------------------------------------------


def test_unknown_command_is_a_usage_error():
    result = _run("bogus")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["trace", "gtp2"], "unknown model 'gtp2'; did you mean 'gpt2'?"),
        (["trace", "gpt2:huge"], "model 'gpt2' has no preset 'huge'"),
        (["trace", "gpt2", "--dynamic", "height"], "no model here has a dim 'height'"),
        (["trace", "--dynamic", "sequence"], "no model here has a dim 'sequence'"),
        (["trace", "gpt2", "--hint", "seq=abc"], "--hint expects DIM=N"),
        (["trace", "gpt2", "--format", "png", "--out", "x"], "--format: unknown 'png'"),
        (["trace", "gpt2", "--jobs", "0"], "expected a positive integer"),
        (["plot", "resnet", "--dim", "seq"], "no model here has a dim 'seq'"),
    ],
)
def test_usage_errors_exit_2_with_a_clear_message(args, message):
    result = _run(*args)
    assert result.returncode == 2, result.stdout
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_unwritable_out_exits_3(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = _run("trace", "gpt2", "--out", str(blocker / "sub"))
    assert result.returncode == 3
    assert "cannot write to --out" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_failing_job_exits_1_and_keeps_the_others():
    result = _run("trace", "gpt2", "resnet", "--hint", "seq=2048")  # GPT-2 has 1024 positions
    assert result.returncode == 1
    assert "gpt2:small failed: ContradictionError" in result.stderr
    assert "1 traced, 1 failed" not in result.stdout and "2 traced, 1 failed" in result.stdout
    assert "resnet:18  173 nodes" in result.stdout


def test_help_documents_the_exit_codes():
    result = _run("trace", "--help")
    assert result.returncode == 0
    for code in EXIT_CODES:
        assert f"  {code} " in result.stdout


# -- list and plot ---------------------------------------------------------------------------------------


def test_list_shows_models_presets_dims_and_params():
    result = _run("list")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "gpt2" in out and "small*, medium, large, xl" in out and "batch=2, seq=128" in out
    assert "mixtral" in out and "46.7 G" in out
    doc = json.loads(_run("list", "--json").stdout)
    assert doc[0]["name"] == "gpt2" and doc[0]["published_params"]["small"] == 124_439_808


def test_plot_writes_a_png(tmp_path):
    path = tmp_path / "flops.png"
    result = _run(
        "plot", "gpt2", "bert", "--dim", "seq", "--metric", "flops", "--values", "64,128,256", "--out", str(path)
    )
    assert result.returncode == 0, result.stderr
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "gpt2:small: flops = 36864*batch*seq**2" in result.stdout


def test_plot_skips_data_dependent_models(tmp_path):
    result = _run("plot", "mixtral", "--out", str(tmp_path / "m.png"))
    assert result.returncode == 0, result.stderr
    assert "mixtral:8x7b: skipped" in result.stdout


def test_plot_without_matplotlib_says_how_to_install_it(tmp_path):
    blocked = tmp_path / "site"
    (blocked / "matplotlib").mkdir(parents=True)
    (blocked / "matplotlib" / "__init__.py").write_text("raise ImportError('No module named matplotlib')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(blocked), os.environ.get("PYTHONPATH", "")])}
    result = _run("plot", "gpt2", "--out", str(tmp_path / "p.png"), env=env)
    assert result.returncode == 4
    assert "pip install 'symcore[plot]'" in result.stderr


# -- pipes -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [[], ["demo"]])
def test_closed_pipe_is_not_an_error(args):
    proc = subprocess.Popen([sys.executable, "-m", "symcore", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.readline()
    proc.stdout.close()  # the reader leaves early, like `symcore | head -1`
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0
    assert b"Traceback" not in err
