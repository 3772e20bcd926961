"""``python -m sim`` is the ``trustsim`` command."""

from .entry import main

raise SystemExit(main())
