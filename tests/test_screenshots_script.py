"""scripts/screenshots.py (issue 18 #19): what can be checked without a demo and a browser.

Taking the screenshots needs the demo (./run.sh) and Chromium; docs/screens/README.md says how.
"""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

import screenshots  # noqa: E402 - a script of the repository, not a package


def test_staff_screens_at_1440x900_and_customer_pages_at_phone_size():
    names = [shot.name for shot in screenshots.SHOTS]
    assert len(names) == len(set(names))
    for shot in screenshots.SHOTS:
        phone = not shot.path.startswith("/web") or shot.name in screenshots.STAFF_ON_PHONE
        assert shot.size == ((390, 844) if phone else (1440, 900)), shot.name


def test_readme_shows_screenshots_the_script_takes():
    readme = (REPO / "README.md").read_text()
    shown = [shot.name for shot in screenshots.SHOTS if f"docs/screens/{shot.name}.png" in readme]
    assert 2 <= len(shown) <= 3, shown
    for name in shown:
        assert (REPO / "docs" / "screens" / f"{name}.png").is_file(), name


def test_without_a_demo_it_says_so_and_fails(capsys):
    assert screenshots.main(["--url", "http://127.0.0.1:9", "--only", "roi"]) == 1
    assert "screenshots:" in capsys.readouterr().out
