"""A small OpenID Connect provider for the tests: a Django project of its own (never in the main
app's ``INSTALLED_APPS``) built on django-oauth-toolkit, started on loopback by
``licheng.accounts.tests.provider`` with a fresh RS256 key and SQLite database in a temp folder.

Its people (``people.PEOPLE``) stand for accounts at the education cloud; their claims (school
code, role, student number, national ID) come from ``validator.ClaimsValidator``."""
