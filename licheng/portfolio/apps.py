from __future__ import annotations

from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "licheng.portfolio"
    label = "portfolio"

    def ready(self) -> None:
        """Menu entries and home sections go to the one registry (``licheng.core.registry``)."""
        from licheng.core import registry
        from licheng.portfolio import menu as menu

        registry.register_menu(self.label, 30, menu.MENU)
        registry.register_home_sections(self.label, 11, menu.STUDENT_HOME_SECTIONS)
        registry.register_home_sections(self.label, 31, menu.TEACHER_HOME_SECTIONS)
