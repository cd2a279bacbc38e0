"""Words used only by the ui (see kiosk/messages.py for the key scheme and the lookup)."""

from __future__ import annotations

from collections.abc import Mapping

UI_MESSAGES: dict[str, Mapping[str, str]] = {}
