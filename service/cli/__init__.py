"""The ``matcher`` command line: one module per command group, all added to one group.

- ``root``: the ``matcher`` group, its global options and :func:`main` (the entry point)
- ``common``: the user-facing error, exit statuses, progress bars, the run's settings and
  container, options several commands share
- ``pool``: ``ingest``, ``build``, ``delete``, ``stats``
- ``search``: ``search``
- ``backup``: ``backup``, ``restore``
- ``db``: ``db upgrade``
- ``keys``: ``keys create``, ``keys list``, ``keys revoke``
- ``serve``: ``serve`` (and the settings handed to its workers)
- ``batch``: ``batch``
- ``adapt``: ``adapt``
- ``evaluate``: ``eval goldstandard``, ``eval authorship``
"""

from service.cli.common import EXIT_ERROR, EXIT_REJECTED, CliError
from service.cli.root import cli, main

__all__ = [
    # errors and exit statuses
    "EXIT_ERROR",
    "EXIT_REJECTED",
    "CliError",
    # entry point
    "cli",
    "main",
]
