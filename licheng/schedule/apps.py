from __future__ import annotations

from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "licheng.schedule"
    label = "schedule"

    def ready(self) -> None:
        """Menu entries and home sections go to the one registry (``licheng.core.registry``)."""
        from licheng.core import registry
        from licheng.schedule import menu as menu

        registry.register_menu(self.label, 70, menu.MENU)
        registry.register_home_sections(self.label, 90, menu.HOME_SECTIONS)
