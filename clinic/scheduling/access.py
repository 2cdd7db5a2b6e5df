"""The permissions of the appointment book, named once for every view and panel that
asks them."""

VIEW = "scheduling.view_appointment"
BOOK = "scheduling.add_appointment"
CHANGE = "scheduling.change_appointment"
