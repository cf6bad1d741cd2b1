from __future__ import annotations

from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "licheng.records"
    label = "records"

    def ready(self) -> None:
        """Menu entries and home sections go to the one registry (``licheng.core.registry``)."""
        from licheng.core import registry
        from licheng.records import menu as menu

        registry.register_menu(self.label, 20, menu.MENU)
