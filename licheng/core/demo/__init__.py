"""The demo school generator behind ``manage.py demo_school`` (fictional people, deterministic)."""
