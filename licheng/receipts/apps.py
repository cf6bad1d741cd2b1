from __future__ import annotations

from django.apps import AppConfig


class ReceiptsConfig(AppConfig):
    name = "licheng.receipts"
    label = "receipts"

    def ready(self) -> None:
        """Menu entries and home sections go to the one registry (``licheng.core.registry``)."""
        from licheng.core import registry
        from licheng.receipts import menu as menu

        registry.register_menu(self.label, 120, menu.MENU)
        registry.register_home_sections(self.label, 140, menu.HOME_SECTIONS)
