from __future__ import annotations

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "licheng.people"
    label = "people"

    def ready(self) -> None:
        """Menu entries and home sections go to the one registry (``licheng.core.registry``)."""
        from licheng.core import registry
        from licheng.people import verification_menu as menu

        registry.register_menu(self.label, 60, menu.MENU)
        registry.register_home_sections(self.label, 80, menu.HOME_SECTIONS)
