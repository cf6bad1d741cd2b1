"""/api/v1/files"""

from ninja import Router

router = Router(tags=["files"])
