app_name = "schools"
urlpatterns: list = []
