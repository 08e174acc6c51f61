"""``python -m carag_dsl.regenerate``: kept as the documented entry point; see :mod:`carag_dsl.tools.regenerate`."""

from carag_dsl.tools.regenerate import main

if __name__ == "__main__":
    raise SystemExit(main())
