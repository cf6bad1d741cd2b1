from __future__ import annotations

from django.apps import AppConfig


class AnnouncementsConfig(AppConfig):
    name = "licheng.announcements"
    label = "announcements"

    def ready(self) -> None:
        """Menu entries and home sections go to the one registry (``licheng.core.registry``)."""
        from licheng.announcements import menu as menu
        from licheng.core import registry

        registry.register_menu(self.label, 90, menu.MENU)
        registry.register_home_sections(self.label, 110, menu.HOME_SECTIONS)
