from __future__ import annotations

from django.urls import URLPattern, path

from licheng.receipts import views

app_name = "receipts"
urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("import/", views.import_receipt, name="import"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/window/", views.window, name="window"),
    path("answers/<int:pk>/reply/", views.answer, name="answer"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("mine/<int:pk>/dispute/", views.dispute, name="dispute"),
    path("mine/<int:pk>/confirmation.pdf", views.confirmation_pdf, name="pdf"),
]
