"""``python -m sim`` is the ``trustsim`` command."""

from .cli import main

raise SystemExit(main())
