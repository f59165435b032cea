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
