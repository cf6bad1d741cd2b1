"""/api/v1/receipts: receipt import (收訖明細), student confirmation and disputes."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["receipts"])
