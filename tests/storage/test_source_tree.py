"""`python -m rnnscope` from a source tree, not installed: the bundled sample is found in the tree's sample_texts/."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE = """
import sys
sys.path.insert(0, sys.argv[1])
from rnnscope.storage.corpus_file import bundled_sample_path
print(bundled_sample_path())
"""


def test_the_sample_is_found_without_an_install():
    # -S: no site-packages, so no editable install maps rnnscope.sample_texts into the package
    done = subprocess.run([sys.executable, "-S", "-c", CODE, str(ROOT)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == ROOT / "sample_texts" / "tinyshakespeare.txt"


def test_an_install_finds_the_sample_inside_the_package(tmp_path):
    # an install's layout: site-packages/rnnscope/sample_texts/ (no source tree's sample_texts/ beside the package)
    import shutil

    site = tmp_path / "site"
    shutil.copytree(ROOT / "rnnscope", site / "rnnscope", ignore=shutil.ignore_patterns("__pycache__"))
    (site / "rnnscope" / "sample_texts").mkdir()
    sample = site / "rnnscope" / "sample_texts" / "tinyshakespeare.txt"
    sample.write_text("installed copy\n")
    done = subprocess.run([sys.executable, "-S", "-c", CODE, str(site)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == sample
