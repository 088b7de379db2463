"""Start the app with the server warm: `python app/serve.py [streamlit run options]` (what `make app` runs).

The same as `streamlit run app/main.py [options]`, except that the bundled model and the figure path are warmed
in the background while the server starts (app/warmup.py), so the first lesson opens as fast as the later ones.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main() -> None:
    from streamlit.web import cli

    from app import warmup

    warmup.start()
    sys.argv = ["streamlit", "run", str(ROOT / "app" / "main.py"), *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
