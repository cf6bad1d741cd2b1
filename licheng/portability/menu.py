"""Menu entry of the school export page (the deployment operator's)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from licheng.core.navitems import NavEntry, operator

MENU: list[NavEntry] = [NavEntry(_("School exports"), "portability:exports", operator)]
