"""Django admin for CST staff: bodies, people and their roles.

Access follows municipalities.permissions, not Django's per-model permission table: CST staff (global role
cst_admin, with is_staff to enter the admin) manage bodies, people and roles; everybody else sees nothing here.
Removing a body or a person is for superusers only: a body that merges is marked ceased, a person who leaves is
deactivated, so the history that refers to them stays whole.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import permissions
from .models import Body, Membership, SizeClass, User


class CstStaffOnlyMixin:
    """The admin site's access for every model of the portal: CST staff (the people policy, not Django's per-model
    permission table) view, add and change; deleting is for superusers only, since most rows carry history.
    `read_only` admins show rows that change only through the services."""

    read_only = False

    def has_module_permission(self, request) -> bool:
        return permissions.is_cst_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return permissions.is_cst_admin(request.user)

    def has_add_permission(self, request, *args) -> bool:
        return not self.read_only and permissions.is_cst_admin(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return not self.read_only and permissions.is_cst_admin(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)


class SizeClassFilter(admin.SimpleListFilter):
    title = _("classe demografica")
    parameter_name = "size_class"

    def lookups(self, request, model_admin):
        return SizeClass.choices

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(size_class=value) if value else queryset


class MembershipInline(CstStaffOnlyMixin, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user", "body")
    verbose_name = _("ruolo nell'ente")
    verbose_name_plural = _("ruoli negli enti")

    def has_delete_permission(self, request, obj=None) -> bool:  # taking a role away is not losing history
        return permissions.can_manage_people(request.user)


class BodyMembershipInline(MembershipInline):
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)


class UserMembershipInline(MembershipInline):
    fields = ("body", "role", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Body)
class BodyAdmin(CstStaffOnlyMixin, admin.ModelAdmin):
    list_display = (
        "name", "kind", "istat_code", "ipa_code", "population", "size_class_label", "is_member", "is_active",
    )
    list_filter = ("kind", "is_member", SizeClassFilter, "is_active")
    search_fields = ("name", "istat_code", "ipa_code", "uri")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("size_class_label", "key")
    filter_horizontal = ("member_bodies",)
    inlines = [BodyMembershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # a bare "www.…" means https
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind")}),
        (_("Codici"), {"fields": ("key", "istat_code", "ipa_code", "belfiore_code", "uri")}),
        (_("Popolazione"), {"fields": ("population", "size_class_label")}),
        (_("Adesione al CST"), {"fields": ("is_member", "member_since", "is_active", "ceased_on")}),
        (_("Unione di comuni"), {"fields": ("member_bodies",)}),
        (_("Contatti"), {"fields": ("website", "email", "pec")}),
    )

    @admin.display(description=_("classe demografica"), ordering="size_class")
    def size_class_label(self, obj: Body) -> str:
        return obj.get_size_class_display()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "member_bodies":  # a union gathers comuni
            kwargs["queryset"] = Body.objects.filter(kind=Body.Kind.COMUNE).order_by("name")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class EmailFieldMixin:
    """The e-mail address is the login name: stored lower-case and unique whatever the letters' case."""

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        others = User.objects.filter(email__iexact=email)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("Esiste già una persona con questo indirizzo e-mail."))
        return email


class PersonCreationForm(EmailFieldMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "global_role")


class PersonChangeForm(EmailFieldMixin, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class PersonAdmin(CstStaffOnlyMixin, DjangoUserAdmin):
    form = PersonChangeForm
    add_form = PersonCreationForm
    list_display = ("email", "first_name", "last_name", "global_role", "is_active", "is_staff", "last_login")
    list_filter = ("global_role", "is_active", "is_staff", "memberships__role")
    search_fields = ("email", "first_name", "last_name", "memberships__body__name")
    ordering = ("email",)
    inlines = [UserMembershipInline]
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Dati personali"), {"fields": ("first_name", "last_name", "language")}),
        (
            _("Ruolo globale e accesso"),
            {
                "fields": ("global_role", "is_active", "is_staff", "is_superuser"),
                "description": _(
                    "Lo staff del CST ha il ruolo globale «Amministratore CST» e l'accesso all'amministrazione. "
                    "Per togliere l'accesso a una persona disattivala invece di eliminarla."
                ),
            },
        ),
        (_("Date"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "first_name", "last_name", "global_role", "usable_password", "password1",
                           "password2"),
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Only a superuser may make (or unmake) another superuser.
            fields.append("is_superuser")
        return fields

    def has_change_permission(self, request, obj=None) -> bool:
        # A superuser's account (its password above all) is only for another superuser to change.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)


@admin.register(Membership)
class MembershipAdmin(CstStaffOnlyMixin, admin.ModelAdmin):
    list_display = ("user", "body", "role", "created_at")
    list_filter = ("role", "body__kind", "body__is_active")
    search_fields = ("user__email", "user__first_name", "user__last_name", "body__name", "body__istat_code")
    autocomplete_fields = ("user", "body")
    list_select_related = ("user", "body")
    date_hierarchy = "created_at"

    def has_delete_permission(self, request, obj=None) -> bool:  # taking a role away is not losing history
        return permissions.can_manage_people(request.user)
