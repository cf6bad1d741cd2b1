"""/api/v1/performances"""

from ninja import Router

router = Router(tags=["performances"])
