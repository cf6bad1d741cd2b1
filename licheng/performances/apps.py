from __future__ import annotations

from django.apps import AppConfig


class PerformancesConfig(AppConfig):
    name = "licheng.performances"
    label = "performances"

    def ready(self) -> None:
        """Menu entries and home sections go to the one registry (``licheng.core.registry``)."""
        from licheng.core import registry
        from licheng.performances import menu as menu

        registry.register_menu(self.label, 40, menu.MENU)
        registry.register_home_sections(self.label, 12, menu.STUDENT_HOME_SECTIONS)
        registry.register_home_sections(self.label, 21, menu.PARENT_HOME_SECTIONS)
