"""`python -m bertviz_core.corpus ...`: the corpus command (see bertviz_core.corpus.run)."""

from bertviz_core.corpus.run import main

if __name__ == "__main__":
    raise SystemExit(main())
