from __future__ import annotations

from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "licheng.backups"
    label = "backups"

    def ready(self) -> None:
        """Menu entries and home sections go to the one registry (``licheng.core.registry``)."""
        from licheng.backups import menu as menu
        from licheng.core import registry

        registry.register_menu(self.label, 140, menu.MENU)
        registry.register_home_sections(self.label, 160, menu.HOME_SECTIONS)
