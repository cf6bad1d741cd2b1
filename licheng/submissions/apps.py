from __future__ import annotations

from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "licheng.submissions"
    label = "submissions"

    def ready(self) -> None:
        """Menu entries and home sections go to the one registry (``licheng.core.registry``)."""
        from licheng.core import registry
        from licheng.submissions import menu as menu

        registry.register_menu(self.label, 110, menu.MENU)
        registry.register_home_sections(self.label, 130, menu.HOME_SECTIONS)
