"""A parent's own pages, mounted at ``/parents/``. Names are global (no namespace): the sign-in
through an outside provider links to ``parent_binding_redeem`` by that name."""

from django.urls import path

from licheng.people import binding_views

urlpatterns = [
    path("bind/", binding_views.redeem, name="parent_binding_redeem"),
    path("children/", binding_views.children, name="parent_children"),
    path("children/switch/", binding_views.child_switch, name="parent_child_switch"),
    path("children/<int:pk>/unbind/", binding_views.child_unbind, name="parent_child_unbind"),
]
