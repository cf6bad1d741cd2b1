from __future__ import annotations

from django.apps import AppConfig


class PortabilityConfig(AppConfig):
    name = "licheng.portability"
    label = "portability"

    def ready(self) -> None:
        """The operator's menu entry goes to the one registry (``licheng.core.registry``)."""
        from licheng.core import registry
        from licheng.portability import menu as menu

        registry.register_menu(self.label, 150, menu.MENU)
