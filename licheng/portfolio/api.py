"""/api/v1/portfolio"""

from ninja import Router

router = Router(tags=["portfolio"])
