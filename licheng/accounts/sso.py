"""Where single sign-on plugs in (the education cloud 教育雲端帳號 and the cities' OpenID services).

Not built yet; this module records the seam so the later issue only adds, never rewrites.

1. **Backend.** Each provider is an OpenID Connect authentication backend added to
   ``settings.AUTHENTICATION_BACKENDS`` after ``SchoolModelBackend`` (e.g. ``mozilla-django-oidc``'s
   ``OIDCAuthenticationBackend`` subclassed per provider). Its ``authenticate(request, **claims)``
   maps the provider's ``sub`` claim to a local user through ``ExternalIdentity(provider, subject)``
   (``licheng.accounts.models``) and returns ``None`` for an unknown subject: accounts are still
   created by the school (bulk import), never on first sign-in, so a provider cannot mint users.
   Linking happens once, by a logged-in user confirming "this is my education-cloud account".
2. **Same rules after authentication.** The callback view calls
   ``licheng.accounts.services.login_refusal(user)`` (closed account, closed school) and then
   ``django.contrib.auth.login`` plus ``services.login_succeeded(actor=..., user=...)`` exactly as
   the password form does, so audit, throttling reset and session timeout are identical.
   ``views.after_login_url`` decides where to go (initial-password change first, for password
   accounts only: an SSO login never needs a local password).
3. **Failures.** A rejected callback calls ``services.login_failed`` so throttling covers it too.
4. **Login page.** ``registration/login.html`` gets one button per configured provider; nothing
   else changes. ``/login/`` and ``/logout/`` keep their names.
"""
