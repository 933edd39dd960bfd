"""The event log in the admin: read-only, since an event is a record of what happened."""

from django.contrib import admin

from ..models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("received", "application", "type", "id", "source", "driver", "emitted_by")
    list_filter = ("application", "type")
    search_fields = ("id", "type", "source", "topic")
    list_select_related = ("application", "driver", "emitted_by")
    date_hierarchy = "received"
    ordering = ("-received",)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
