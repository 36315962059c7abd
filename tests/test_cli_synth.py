"""`vankien synth` at the size where its progress bar reports, and `vankien load` of what it wrote."""

import fcntl
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import time

PART_WAIT_S = 30.0


def vankien(*args, env=None, **options):
    return subprocess.run([sys.executable, "-m", "vankien", *args], capture_output=True, text=True,
                          env=env, timeout=300, **options)


def test_synth_20000_with_its_progress_bar_is_loaded(tmp_path):
    corpus = tmp_path / "synthetic.nq"
    # stderr on a terminal: the progress bar is on, as for a user at a shell
    main, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 100 columns
    try:
        done = subprocess.run([sys.executable, "-m", "vankien", "synth", "--docs", "20000", "-o",
                               str(corpus)], stdout=subprocess.PIPE, stderr=terminal, timeout=300)
        os.close(terminal)
        terminal = -1
        bar = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:      # the pty is drained once the child has gone
                break
            if not chunk:
                break
            bar += chunk
    finally:
        if terminal >= 0:
            os.close(terminal)
        os.close(main)
    assert done.returncode == 0, bar.decode(errors="replace")
    assert b"synth: 100%" in bar and b"20.0k/20.0k" in bar, bar.decode(errors="replace")
    assert b"Traceback" not in bar
    env = {**os.environ, "VANKIEN_DATA_DIR": str(tmp_path / "var")}
    loaded = vankien("load", str(corpus), "--store", "disk", env=env)
    assert loaded.returncode == 0, loaded.stderr
    count = vankien("query", "SELECT (COUNT(?d) AS ?n) { ?d vk:termStatus vk:TermKnown }", "--store", "disk",
                    "--format", "csv", env=env)
    assert count.stdout.splitlines()[1] == "20000"


def test_an_interrupted_synth_leaves_a_partial_file_that_load_refuses(tmp_path):
    corpus = tmp_path / "synthetic.nq"
    partial = tmp_path / "synthetic.nq.part"
    writer = subprocess.Popen([sys.executable, "-m", "vankien", "synth", "--docs", "200000", "-o",
                               str(corpus)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + PART_WAIT_S
        while time.monotonic() < deadline and (not partial.exists() or partial.stat().st_size < 10**6):
            time.sleep(0.05)
        writer.send_signal(signal.SIGKILL)     # a crash or a power cut: nothing gets to clean up
    finally:
        writer.wait(timeout=30)
    assert partial.stat().st_size >= 10**6 and not corpus.exists()
    env = {**os.environ, "VANKIEN_DATA_DIR": str(tmp_path / "var")}
    for store in ("memory", "disk"):
        refused = vankien("load", str(partial), "--store", store, env=env)
        assert refused.returncode == 2, refused.stderr
        assert refused.stderr.startswith("vankien: error: ") and "incomplete synthetic corpus" in refused.stderr
    assert not (tmp_path / "var").exists()    # nothing was loaded


def test_ctrl_c_removes_the_partial_file(tmp_path):
    corpus = tmp_path / "synthetic.nq"
    partial = tmp_path / "synthetic.nq.part"
    # A shell's background job starts with SIGINT ignored, and Python then keeps it ignored: give
    # the writer the disposition of a terminal's foreground process, whatever started the tests.
    writer = subprocess.Popen([sys.executable, "-m", "vankien", "synth", "--docs", "200000", "-o",
                               str(corpus)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + PART_WAIT_S
        while time.monotonic() < deadline and not partial.exists():
            time.sleep(0.05)
        writer.send_signal(signal.SIGINT)
        _, stderr = writer.communicate(timeout=30)
    finally:
        writer.kill()
    assert writer.returncode == 130 and "interrupted" in stderr
    assert list(tmp_path.iterdir()) == []
