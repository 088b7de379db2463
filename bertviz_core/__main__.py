"""`python -m bertviz_core ...`: see bertviz_core.cli.main."""

from bertviz_core.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
