#!/usr/bin/env python3
"""CallGest developer tooling, driven by the Makefile: see tools/callgest_dev/.

python3 tools/dev.py run|test|lint|format|stop
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from callgest_dev.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
