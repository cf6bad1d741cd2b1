from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "licheng.core"
    label = "core"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(_grant_new_permissions, sender=self)
        _register_menu_and_home()


def _grant_new_permissions(sender: Any, **kwargs: Any) -> None:
    """After every ``migrate``: codes added by an upgrade reach their default roles in every school."""
    from licheng.core.permission_upgrades import grant_new_permissions

    grant_new_permissions()


def _register_menu_and_home() -> None:
    """The core's own home sections, by position; its menu head and tail are ``navigation``'s."""
    from licheng.core import registry
    from licheng.core.home import CORE_HOME_SECTIONS

    for position, roles, build in CORE_HOME_SECTIONS:
        registry.register_home_sections("core", position, [(roles, build)])
