"""/api/v1/records"""

from ninja import Router

router = Router(tags=["records"])
