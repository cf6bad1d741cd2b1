from __future__ import annotations

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "licheng.people"
    label = "people"

    def ready(self) -> None:
        """Menu entries and home sections go to the one registry (``licheng.core.registry``)."""
        from licheng.core import registry
        from licheng.people import binding_menu
        from licheng.people import verification_menu as menu

        registry.register_menu(self.label, 60, menu.MENU)
        registry.register_home_sections(self.label, 80, menu.HOME_SECTIONS)
        registry.register_menu("people_binding", 61, binding_menu.MENU)
        registry.register_home_sections("people_binding", 81, binding_menu.HOME_SECTIONS)
