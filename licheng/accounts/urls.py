"""Mounted at the site root. Names are global (no namespace) because Django's auth views and
``settings.LOGIN_URL`` expect ``login``, ``password_reset_confirm``, ``password_change_done`` …"""

from django.urls import path

from licheng.accounts import sso_views, views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", sso_views.logout, name="logout"),
    path("sso/<str:provider_key>/start/", sso_views.sso_start, name="sso_start"),
    path("sso/<str:provider_key>/callback/", sso_views.sso_callback, name="sso_callback"),
    path("sso/link/", sso_views.sso_link_confirm, name="sso_link_confirm"),
    path("sso/no-account/", sso_views.sso_no_account, name="sso_no_account"),
    path("accounts/", sso_views.account_home, name="account_home"),
    path("accounts/identities/<int:pk>/unlink/", sso_views.account_identity_unlink, name="account_identity_unlink"),
    path("accounts/sign-on/", sso_views.school_sign_on, name="school_sign_on"),
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
