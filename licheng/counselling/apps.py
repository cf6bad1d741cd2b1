from __future__ import annotations

from django.apps import AppConfig


class CounsellingConfig(AppConfig):
    name = "licheng.counselling"
    label = "counselling"

    def ready(self) -> None:
        """Menu entries and home sections go to the one registry (``licheng.core.registry``)."""
        from licheng.core import registry
        from licheng.counselling import menu as menu

        registry.register_menu(self.label, 50, menu.MENU)
