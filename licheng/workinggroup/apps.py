from __future__ import annotations

from django.apps import AppConfig


class WorkingGroupConfig(AppConfig):
    name = "licheng.workinggroup"
    label = "workinggroup"

    def ready(self) -> None:
        """Menu entries and home sections go to the one registry (``licheng.core.registry``)."""
        from licheng.core import registry
        from licheng.workinggroup import menu as menu

        registry.register_menu(self.label, 100, menu.MENU)
        registry.register_home_sections(self.label, 120, menu.HOME_SECTIONS)
