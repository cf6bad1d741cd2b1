app_name = "performances"
urlpatterns: list = []
