"""Models for receipt import (收訖明細), student confirmation and disputes."""

from __future__ import annotations
