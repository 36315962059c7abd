"""Every claim's quote stands in its source text at exactly its offsets.

The sources folder (../shared/seeds beside the checkout, or VANKIEN_SOURCES_DIR) is not part of the
project; without it this test skips and says why (CI sets VANKIEN_REQUIRE_SOURCES=1 to fail instead).
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from prerequisites import missing

from vankien.graph.claims import load_seed_dir, source_text, verify_quotes
from vankien.graph.settings import Settings

SETTINGS = Settings.from_env()
SEEDS = load_seed_dir(SETTINGS.seeds_dir)


@pytest.mark.sources
@pytest.mark.parametrize("seed", SEEDS, ids=[s.path.name for s in SEEDS])
def test_quotes_match_source_at_offsets(seed):
    text = source_text(seed, SETTINGS.sources_dir)
    if text is None:
        missing("sources", f"source text {seed.source.file} not found in {SETTINGS.sources_dir} "
                           "(set VANKIEN_SOURCES_DIR to the folder holding the source articles)")
    assert verify_quotes(seed, text) == []
    assert all(len(claim.quote) < 200 for claim in seed.claims), "keep quotes short"
    assert len(seed.claims) >= 60
