from __future__ import annotations

from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "licheng.progress"
    label = "progress"

    def ready(self) -> None:
        """Menu entries and home sections go to the one registry (``licheng.core.registry``)."""
        from licheng.core import registry
        from licheng.progress import menu as menu

        registry.register_menu(self.label, 80, menu.MENU)
        registry.register_home_sections(self.label, 100, menu.HOME_SECTIONS)
