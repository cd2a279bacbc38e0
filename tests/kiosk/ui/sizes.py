"""The screens every ui test draws on: the kiosk's 27-inch monitor both ways, and the 7-inch Pi panel.

Physical sizes are the active areas: a 27-inch 16:9 monitor is 686 mm across the diagonal; the
Raspberry Pi Touch Display 2 is 720 x 1280 pixels on 88 x 155 mm (8.2 px/mm, so a 15 mm touch
target is 123 px there against 48 px on the monitor); its 5-inch sibling has the same pixels on
62 x 110 mm, where ten procedures no longer fit one page at 15 mm.
"""

from __future__ import annotations

from kiosk.site.model import Orientation, ScreenConfig

PORTRAIT_27 = ScreenConfig(1080, 1920, 686.0, None, Orientation.PORTRAIT, True)
LANDSCAPE_27 = ScreenConfig(1920, 1080, 686.0, None, Orientation.LANDSCAPE, True)
PI_7 = ScreenConfig(720, 1280, None, 88.0, Orientation.PORTRAIT, True)
PI_5 = ScreenConfig(720, 1280, None, 62.0, Orientation.PORTRAIT, True)  # the 5-inch panel: 15 mm is 174 px

SCREENS = {"1080x1920": PORTRAIT_27, "1920x1080": LANDSCAPE_27, "720x1280": PI_7, "720x1280-5in": PI_5}
