"""``python -m service.cli``: the ``matcher`` command."""

import sys

from service.cli import main

sys.exit(main())
