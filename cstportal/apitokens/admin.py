from django.contrib import admin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "user__email"]
    # Tokens are issued from the profile page or the command: the admin only looks (and may revoke by date).
    readonly_fields = ["user", "name", "prefix", "key_digest", "created_at", "last_used_at", "expires_at"]

    def has_add_permission(self, request) -> bool:
        return False
