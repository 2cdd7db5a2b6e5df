from django.urls import path

from clinic.messaging import offer_views, patient_views, views

app_name = "messaging"

urlpatterns = [
    path("m/<str:token>/", views.reply, name="reply"),
    path("visit/<str:token>/", patient_views.appointment_change, name="change"),
    path("visit/<str:token>/cancel/", patient_views.appointment_cancel, name="cancel"),
    path("w/<str:token>/", offer_views.offer, name="offer"),
    path("messages/", views.message_list, name="list"),
    path("messages/settings/", views.message_settings_edit, name="settings"),
    path("messages/<int:pk>/", views.message_detail, name="detail"),
    path("messages/<int:pk>/email.html", views.message_html, name="html"),
    path("messages/<int:pk>/resend/", views.message_resend, name="resend"),
]
