"""vankien review: decisions written into the claims file with who/when, edits checked against the
source text, bad files one clear error, nothing recorded ever lost; the terminal review driven for
real through a pty (pexpect)."""

import difflib
import os
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
from rdflib import Dataset

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engines import free_loopback_port

from vankien.graph.claims import load_seed_file
from vankien.graph.namespaces import VK
from vankien.graph.review import ClaimsFile, ReviewError

HERE = Path(__file__).parent
CANDIDATES = HERE / "fixtures" / "candidates"
SEEDS = HERE / "fixtures" / "seeds"
CLI = [sys.executable, "-m", "vankien.cli"]


@pytest.fixture
def folder(pending_candidates) -> Path:
    return pending_candidates


def review(folder, *args, expect=0, reviewer="Test Reviewer"):
    env = {**os.environ, "VANKIEN_REVIEWER": reviewer}
    done = subprocess.run([*CLI, "review", str(folder / "candidates.yaml"), "--sources-dir", str(folder), *args],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == expect, done.stderr + done.stdout
    return done


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def states(folder) -> dict[str, tuple]:
    seed = load_seed_file(folder / "candidates.yaml")
    return {c.id: (c.review, c.reviewed_by) for c in seed.claims}


def test_accept_and_reject_record_who_and_when_and_change_nothing_else(folder):
    path = folder / "candidates.yaml"
    before = path.read_text(encoding="utf-8")
    out = review(folder, "--accept", "k2", "--reject", "k3").stdout
    assert "k2: accepted by Test Reviewer at " in out and "k3: rejected by Test Reviewer" in out
    after = path.read_text(encoding="utf-8")
    changed = changed_lines(before, after)
    assert sorted(line.split(":")[0] for line in changed) == sorted(
        ["-    review", "+    review", "+    reviewed_by", "+    reviewed_at"] * 2)
    assert states(folder) == {"k1": ("accepted", "synthetic reviewer"), "k2": ("accepted", "Test Reviewer"),
                              "k3": ("rejected", "Test Reviewer")}
    seed = load_seed_file(path)
    assert all(c.reviewed_at.endswith("Z") and c.reviewed_at[:4].isdigit() for c in seed.claims)


def test_accept_all_takes_pending_only_and_keeps_earlier_decisions(folder):
    review(folder, "--reject", "k3")
    out = review(folder, "--accept-all", reviewer="Second").stdout
    assert "accepted 1 pending claim(s)" in out
    assert states(folder) == {"k1": ("accepted", "synthetic reviewer"), "k2": ("accepted", "Second"),
                              "k3": ("rejected", "Test Reviewer")}


def test_list_shows_states_and_counts(folder):
    out = review(folder, "--list").stdout
    assert out.splitlines()[-1] == "1 accepted, 2 pending"
    assert "k1\taccepted\t0.90\timplements.en.in-implementation-of\t“In implementation of Directive 5-CT/TW” " \
           "[38:76] (+1 more)" in out


def test_accepted_claims_are_built_like_any_seed(folder, tmp_path):
    review(folder, "--accept", "k2")
    data_dir = tmp_path / "var"
    done = subprocess.run([*CLI, "build", "--seeds-dir", str(SEEDS), "--sources-dir", str(folder),
                           "--data-dir", str(data_dir), "--claims", str(folder / "candidates.yaml")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    data = Dataset()
    data.parse(data_dir / "vankien.nq", format="nquads")
    issued = {(str(s).rsplit("/", 4)[-4], str(o).rsplit("/", 1)[-1])
              for s, _, o, _ in data.quads((None, VK.issuedBy, None, None))}
    assert issued == {("kh", "ban-to-chuc")}                  # k2 accepted: plan 9 issued by the board
    assert not list(data.quads((None, VK.replaces, None, None)))   # k3 still pending


@pytest.mark.parametrize("args, message", [
    (["--accept", "nope"], "candidates.yaml: no claim with id 'nope'"),
    (["--reject", "k1", "nope"], "candidates.yaml: no claim with id 'nope'"),
])
def test_unknown_ids_are_one_error_and_write_nothing(folder, args, message):
    before = (folder / "candidates.yaml").read_bytes()
    done = review(folder, *args, expect=2)
    assert done.stderr.strip().startswith("vankien: error: ") and message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert (folder / "candidates.yaml").read_bytes() == before


@pytest.mark.parametrize("breakage, where", [
    (("  - id: k2\n", "  - id: k2\n   bad: [\n"), ":34: not valid YAML"),  # YAML syntax
    (("    review: pending\n", "    review: maybe\n"), ":33: claim k2: review must be one of"),
    (("    confidence: 0.7\n", "    confidence: very\n"), ":33: claim k2: confidence must be"),
    (("    start: 0\n", "    start: zero\n"), ":33: claim k2: start must be"),
])
def test_a_file_edited_into_nonsense_is_one_error_naming_file_and_line(folder, breakage, where):
    path = folder / "candidates.yaml"
    broken = path.read_text(encoding="utf-8").replace(*breakage, 1)
    path.write_text(broken, encoding="utf-8")
    done = review(folder, "--accept-all", expect=2)
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"vankien: error: {path}:") and where in line, line
    assert path.read_text(encoding="utf-8") == broken           # nothing rewritten


def test_a_claim_whose_quote_is_off_cannot_be_accepted(folder):
    path = folder / "candidates.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    start: 0\n", "    start: 3\n"), encoding="utf-8")
    before = path.read_bytes()
    done = review(folder, "--accept", "k2", expect=2)
    assert "claim k2 cannot be accepted: text at 3:39 is" in done.stderr
    assert "the quote stands at offset 0; edit the quote first" in done.stderr
    assert path.read_bytes() == before


def test_edits_are_checked_against_the_source_text(folder):
    claims = ClaimsFile(folder / "candidates.yaml", folder)
    before = (folder / "candidates.yaml").read_bytes()
    with pytest.raises(ReviewError, match=r"candidates.yaml:\d+: claim k2, quote 1: text at 5:17 is "
                                          r"'9-KH/TU was '; the quote stands at offset 0"):
        claims.edit_quotes("k2", [("Plan 9-KH/TU", 5)])
    with pytest.raises(ReviewError, match="quote 2: .* the quote is not in the text"):
        claims.edit_quotes("k2", [("Plan 9-KH/TU", 0), ("Plan 10-KH/TU", 0)])
    with pytest.raises(ReviewError, match="claim k1 is accepted by synthetic reviewer; only a pending"):
        claims.edit_quotes("k1", [("Plan 9-KH/TU", 0)])
    assert (folder / "candidates.yaml").read_bytes() == before
    edited = claims.edit_quotes("k2", [("Plan 9-KH/TU", 0), ("issued by the board", 17)])
    assert [(q.quote, q.start) for q in edited.quotes] == [("Plan 9-KH/TU", 0), ("issued by the board", 17)]
    reloaded = {c.id: c for c in load_seed_file(folder / "candidates.yaml").claims}
    assert reloaded["k2"].quotes == edited.quotes and reloaded["k2"].review == "pending"


def test_a_file_changed_on_disk_meanwhile_is_not_overwritten(folder):
    claims = ClaimsFile(folder / "candidates.yaml", folder)
    path = folder / "candidates.yaml"
    other = path.read_text(encoding="utf-8").replace(
        "    review: pending\n", '    review: rejected\n    reviewed_by: "other"\n    reviewed_at: "2026-12-01T11:00:00Z"\n', 1)
    path.write_text(other, encoding="utf-8")                 # someone else decided k2 meanwhile
    with pytest.raises(ReviewError, match="changed on disk since it was opened; nothing was written"):
        claims.decide(["k3"], "accepted", "me")
    assert path.read_text(encoding="utf-8") == other
    assert claims.decide(["k3"], "accepted", "me")[0].review == "accepted"    # reopened: works
    assert states(folder)["k2"] == ("rejected", "other")


def test_a_missing_source_text_is_one_clear_error(folder):
    (folder / "candidates-source.txt").unlink()
    done = review(folder, "--list", expect=2)
    assert "the source text candidates-source.txt is not in" in done.stderr


def test_without_a_terminal_the_interactive_review_says_what_to_use(folder):
    done = review(folder, expect=2)
    assert "interactive review needs a terminal; use --list" in done.stderr


# --- the terminal review, driven through a real pty ---------------------------------------------

def spawn(folder) -> pexpect.spawn:
    env = {**os.environ, "VANKIEN_REVIEWER": "Terminal Reviewer", "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    return pexpect.spawn(CLI[0], [*CLI[1:], "review", str(folder / "candidates.yaml"), "--sources-dir",
                                  str(folder)], env=env, encoding="utf-8", timeout=30, dimensions=(50, 200))


def test_terminal_review_with_single_keys(folder):
    child = spawn(folder)
    child.expect_exact("[1/2] k2  pending  rule issuer.en.issued-by  confidence 0.70")
    # the quote highlighted (reverse video) inside its paragraph
    child.expect_exact("\x1b[7mPlan 9-KH/TU was issued by the board\x1b[0m. In implementation of")
    child.expect_exact("[a]ccept  [r]eject  [e]dit  [s]kip  [q]uit")
    child.send("e")                                           # edit: a bad quote first
    child.expect_exact("quote 1 (Enter keeps “Plan 9-KH/TU was issued by the board”, '-' drops it): ")
    child.sendline("Plan 9-KH/TU was issued by the Politburo")
    child.expect_exact("start (Enter: 0, the quote is not in the text): ")
    child.sendline("")
    child.expect_exact("another quote (Enter: no more): ")
    child.sendline("")
    child.expect_exact("error: ")
    child.expect_exact("claim k2, quote 1: text at 0:40 is")
    child.expect_exact("the quote is not in the text")
    child.expect_exact("[1/2] k2")                           # the same candidate again, unchanged
    child.send("e")                                           # a good edit: keep it, add the cue
    child.expect_exact("quote 1 (Enter keeps")
    child.sendline("")
    child.expect_exact("start (Enter: 0): ")
    child.sendline("")
    child.expect_exact("another quote (Enter: no more): ")
    child.sendline("the board issued Plan 9-KH/TU")
    child.expect_exact("start (Enter: 77): ")
    child.sendline("")
    child.expect_exact("another quote (Enter: no more): ")
    child.sendline("")
    child.expect_exact("k2: quotes saved (2)")
    child.expect_exact("\x1b[7mthe board issued Plan 9-KH/TU\x1b[0m")   # both passages marked
    child.send("a")
    child.expect_exact("k2: accepted")
    child.expect_exact("[2/2] k3")
    child.send("s")
    child.expect_exact("k3: skipped")
    child.expect_exact("1 decision(s) written to")
    child.expect_exact("1 pending")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    seed = {c.id: c for c in load_seed_file(folder / "candidates.yaml").claims}
    assert (seed["k2"].review, seed["k2"].reviewed_by) == ("accepted", "Terminal Reviewer")
    assert [(q.quote, q.start) for q in seed["k2"].quotes] == [
        ("Plan 9-KH/TU was issued by the board", 0), ("the board issued Plan 9-KH/TU", 77)]
    assert seed["k3"].review == "pending"


def test_terminal_review_reject_then_quit_keeps_the_decision(folder):
    child = spawn(folder)
    child.expect_exact("[1/2] k2")
    child.send("r")
    child.expect_exact("k2: rejected")
    child.expect_exact("[2/2] k3")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert states(folder) == {"k1": ("accepted", "synthetic reviewer"), "k2": ("rejected", "Terminal Reviewer"),
                              "k3": ("pending", None)}


def test_review_web_serves_on_loopback_only(folder):
    import time

    import httpx
    port = free_loopback_port()
    env = {**os.environ, "VANKIEN_REVIEWER": "Web Reviewer"}
    server = subprocess.Popen([*CLI, "review", str(folder / "candidates.yaml"), "--sources-dir", str(folder),
                               "--web", "--port", str(port)], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert f"open http://127.0.0.1:{port}/" in server.stdout.readline()
        deadline, page = time.monotonic() + 20, None
        while time.monotonic() < deadline and page is None:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
            except httpx.TransportError:
                time.sleep(0.2)
        assert page is not None and page.status_code == 200 and "Web Reviewer" in page.text
        listening = [line.split()[1] for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
                     if line.split()[3] == "0A"]                  # sockets in LISTEN state
        assert f"0100007F:{port:04X}" in listening and f"00000000:{port:04X}" not in listening
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.mark.parametrize("taken", [True, False])
def test_review_web_on_a_port_it_cannot_listen_on_is_one_error(folder, taken):
    # a busy port printed "open http://…" then a uvicorn ERROR line and exit 3 ("not found");
    # --port 99999 printed the address and hung
    import socket
    with socket.socket() as holder:
        if taken:
            holder.bind(("127.0.0.1", 0))
            holder.listen()
        port = holder.getsockname()[1] if taken else 99999
        done = review(folder, "--web", "--port", str(port), expect=2)
    assert done.stderr.startswith(f"vankien: error: port: cannot listen on 127.0.0.1:{port}: "), done.stderr
    assert "open http" not in done.stdout and "Traceback" not in done.stderr

