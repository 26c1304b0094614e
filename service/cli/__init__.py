"""The ``matcher`` command line."""

from service.cli.commands import main

__all__ = ["main"]
