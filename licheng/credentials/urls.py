from django.urls import path

from licheng.credentials import views

app_name = "credentials"
urlpatterns = [
    path("<str:code>/jwks.json", views.jwks, name="jwks"),
    path("<str:code>/issuer.json", views.issuer, name="issuer"),
    path("<str:code>/status/revocation", views.status_list, name="status_list"),
    path("c/<int:pk>/credential.jwt", views.download, name="download"),
    path("c/<int:pk>/qr.png", views.qr_code, name="qr"),
    path("c/<int:pk>/revoke/", views.revoke, name="revoke"),
]
