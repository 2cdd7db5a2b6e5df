from django.urls import path

from clinic.scheduling import waitlist_views

app_name = "waitlist"

urlpatterns = [
    path("", waitlist_views.waitlist_list, name="list"),
    path("add/", waitlist_views.waitlist_add, name="add"),
    path("<int:pk>/remove/", waitlist_views.waitlist_remove, name="remove"),
]
