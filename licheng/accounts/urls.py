"""Mounted at the site root. Names are global (no namespace) because Django's auth views and
``settings.LOGIN_URL`` expect ``login``, ``password_reset_confirm``, ``password_change_done`` …"""

from django.contrib.auth import views as auth_views
from django.urls import path

from licheng.accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/change/done/", views.password_change_done, name="password_change_done"),
    path("accounts/password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/password/reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("accounts/tokens/", views.tokens, name="account_tokens"),
    path("accounts/tokens/<int:pk>/revoke/", views.token_revoke, name="account_token_revoke"),
    path("accounts/import/", views.import_list, name="account_import_list"),
    path("accounts/import/template/<str:kind>.xlsx", views.import_template, name="account_import_template"),
    path("accounts/import/<int:pk>/", views.import_detail, name="account_import_detail"),
    path("accounts/import/<int:pk>/apply/", views.import_apply, name="account_import_apply"),
    path("accounts/import/<int:pk>/passwords/", views.import_passwords, name="account_import_passwords"),
    path("accounts/import/<int:pk>/passwords.xlsx", views.import_passwords_xlsx, name="account_import_passwords_xlsx"),
]
