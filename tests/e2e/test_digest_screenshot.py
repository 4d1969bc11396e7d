"""The HTML digest as a person sees it: rendered by headless Chromium, screenshot kept for a look.

The screenshot is saved to out/digest-screenshot.png (gitignored) so a person can check it by eye.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from flows.pipeline import pending_digest
from monitors.digest.chart import channel_chart_png
from monitors.digest.render import chart_data_uri, render_html
from tests.conftest import ROOT
from tests.support.digest import seeded_engine

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = ROOT / "out" / "digest-screenshot.png"
WIDTH, HEIGHT = 900, 1600


def _chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is missing under CI: .ci/run installs it with `apt-get install -y chromium`")
    pytest.skip("chromium is not installed (apt-get install -y chromium); CI installs it and runs this test")


def _run(chromium: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(chromium),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_html_digest_renders_in_chromium_with_chart_and_inert_feed_text(
    sqlite_url: str, tmp_path: Path
) -> None:
    chromium = _chromium()
    with seeded_engine(sqlite_url, evil=True) as engine:
        digest, _ = pending_digest(engine, ["terminal"])
    html = render_html(digest, chart_data_uri(channel_chart_png(digest)))
    page = tmp_path / "digest.html"
    page.write_text(html, encoding="utf-8")
    shot = tmp_path / "shot.png"

    shown = _run(
        chromium,
        tmp_path / "profile",
        f"--screenshot={shot}",
        f"--window-size={WIDTH},{HEIGHT}",
        page.as_uri(),
    )
    assert shot.exists(), shown.stderr[-2000:]
    SCREENSHOT.parent.mkdir(exist_ok=True)
    shutil.copyfile(shot, SCREENSHOT)

    from matplotlib.image import imread

    pixels = imread(str(shot))
    assert pixels.shape[:2] == (HEIGHT, WIDTH)
    # not a blank page: the card, headings, tables and chart give many distinct shades
    assert pixels[..., :3].std() > 0.1
    assert len({tuple(p) for p in (pixels[::7, ::7, :3] * 255).astype(int).reshape(-1, 3)}) > 50

    # the DOM Chromium built: the hostile headline is text, not a script or markup; the chart loaded
    dom = _run(chromium, tmp_path / "profile2", "--dump-dom", page.as_uri()).stdout
    assert "<script" not in dom and "<b>meet</b>" not in dom
    assert '&lt;script&gt;alert("x")&lt;/script&gt; Cooper &amp; Piantedosi' in dom
    assert 'src="data:image/png;base64,' in dom
    assert "javascript:" not in dom
