from __future__ import annotations

from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    name = "licheng.lifecycle"
    label = "lifecycle"

    def ready(self) -> None:
        """Menu entries and home sections go to the one registry (``licheng.core.registry``)."""
        from licheng.core import registry
        from licheng.lifecycle import menu as menu

        registry.register_menu(self.label, 130, menu.MENU)
        registry.register_home_sections(self.label, 150, menu.HOME_SECTIONS)
