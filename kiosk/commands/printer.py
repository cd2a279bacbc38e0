"""`kiosk` subcommands for the printer (registered by `kiosk.cli`).

Only argparse at import time: handlers import device libraries lazily, so `kiosk check-config`
never pays for them.
"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this module's subcommands to the `kiosk` parser."""
