from __future__ import annotations

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce, Lower, NullIf
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .querysets import BodyQuerySet, MembershipQuerySet

istat_validator = RegexValidator(r"^\d{6}$", _("Il codice ISTAT è formato da 6 cifre."))


class GlobalRole(models.TextChoices):
    NONE = "", _("Nessuno")
    CST_ADMIN = "cst_admin", _("Amministratore CST")
    ANALYST = "analyst", _("Analista provinciale")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("global_role", GlobalRole.CST_ADMIN)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person. The e-mail address is the login name."""

    username = None
    email = models.EmailField(_("indirizzo e-mail"), unique=True)
    global_role = models.CharField(
        _("ruolo globale"), max_length=20, choices=GlobalRole.choices, default=GlobalRole.NONE, blank=True
    )
    language = models.CharField(
        _("lingua"), max_length=5, choices=[("it", "Italiano"), ("en", "English")], default="it"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("persona")
        verbose_name_plural = _("persone")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @cached_property
    def roles_by_body(self) -> dict[int, frozenset[str]]:
        """{body id: roles} in the person's active bodies, read once for this object (one request). The permission
        policy (municipalities.permissions) reads it; assigning it gives a person roles without a query."""
        found: dict[int, set[str]] = {}
        for body_id, role in Membership.objects.for_user(self).values_list("body_id", "role"):
            found.setdefault(body_id, set()).add(role)
        return {body_id: frozenset(roles) for body_id, roles in found.items()}

    # For templates; the rule itself lives in municipalities.permissions.
    @property
    def is_cst_admin(self) -> bool:
        from .permissions import is_cst_admin

        return is_cst_admin(self)

    @property
    def is_analyst(self) -> bool:
        from .permissions import is_analyst

        return is_analyst(self)


class SizeClass(models.TextChoices):
    XS = "xs", _("meno di 1.000 abitanti")
    S = "s", _("da 1.000 a 4.999 abitanti")
    M = "m", _("da 5.000 a 14.999 abitanti")
    L = "l", _("15.000 abitanti e oltre")
    NA = "na", _("non applicabile")


def size_class_expression():
    return Case(
        When(population__isnull=True, then=Value(SizeClass.NA.value)),
        When(population__lt=1000, then=Value(SizeClass.XS.value)),
        When(population__lt=5000, then=Value(SizeClass.S.value)),
        When(population__lt=15000, then=Value(SizeClass.M.value)),
        default=Value(SizeClass.L.value),
        output_field=models.CharField(max_length=2),
    )


def public_key_expression():
    """A body's one public key, in URLs and in the API: the ISTAT code for a comune, else the IPA code in lower case,
    else the slug. Stored (and unique) so that a key is found through one index."""
    return Coalesce(
        NullIf(F("istat_code"), Value("")), NullIf(Lower(F("ipa_code")), Value("")), F("slug"),
        output_field=models.CharField(max_length=160),
    )


class Body(models.Model):
    """A public body: a member of the CST (a comune, the Province, a union of municipalities), or an external owner
    of solutions in the catalogue (a public body elsewhere in Italy or abroad, or a third-party publisher of open
    source software), recorded when one of its publiccode.yml files is imported. External bodies have no members
    and nobody logs in for them."""

    class Kind(models.TextChoices):
        COMUNE = "comune", _("Comune")
        PROVINCIA = "provincia", _("Provincia")
        UNIONE = "unione", _("Unione di comuni")
        ENTE = "ente", _("Altro ente pubblico italiano")
        ESTERO = "estero", _("Ente pubblico estero")
        TERZO = "terzo", _("Editore terzo (non pubblica amministrazione)")

    istat_code = models.CharField(
        _("codice ISTAT"), max_length=6, unique=True, null=True, blank=True, validators=[istat_validator]
    )
    ipa_code = models.CharField(_("codice IPA"), max_length=20, blank=True)
    belfiore_code = models.CharField(_("codice catastale"), max_length=4, blank=True)
    name = models.CharField(_("nome"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=160, unique=True)
    kind = models.CharField(_("tipo"), max_length=20, choices=Kind.choices, default=Kind.COMUNE)
    population = models.PositiveIntegerField(_("popolazione"), null=True, blank=True)
    size_class = models.GeneratedField(
        expression=size_class_expression(),
        output_field=models.CharField(_("classe demografica"), max_length=2, choices=SizeClass.choices),
        db_persist=True,
    )
    member_since = models.DateField(_("socio del CST dal"), null=True, blank=True)
    is_active = models.BooleanField(_("attivo"), default=True)
    ceased_on = models.DateField(_("cessato il"), null=True, blank=True)
    website = models.URLField(_("sito web"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    pec = models.EmailField(_("PEC"), blank=True)
    is_member = models.BooleanField(
        _("socio del CST"), default=True,
        help_text=_("Falso per un ente esterno, registrato perché titolare di soluzioni importate."),
    )
    uri = models.CharField(
        _("identificativo"), max_length=300, blank=True,
        help_text=_("organisation.uri del publiccode.yml (per un ente estero) o l'organizzazione del repository "
                    "(per un editore terzo)."),
    )
    member_bodies = models.ManyToManyField(
        "self", symmetrical=False, related_name="unions", blank=True, verbose_name=_("comuni aderenti"),
        help_text=_("Per un'unione di comuni: i comuni che ne fanno parte."),
    )
    key = models.GeneratedField(
        expression=public_key_expression(),
        output_field=models.CharField(_("codice pubblico"), max_length=160),
        db_persist=True,
    )
    # Every save stamps it (a save with update_fields names it): what the API's updated_since compares.
    updated_at = models.DateTimeField(_("aggiornato il"), auto_now=True)

    objects = BodyQuerySet.as_manager()

    class Meta:
        verbose_name = _("ente")
        verbose_name_plural = _("enti")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_active=True, ceased_on__isnull=True) | Q(is_active=False, ceased_on__isnull=False),
                name="body_ceased_has_date",
            ),
            models.UniqueConstraint(
                fields=["ipa_code"], condition=~Q(ipa_code=""), name="body_unique_ipa_code"
            ),
            models.CheckConstraint(
                condition=Q(istat_code__isnull=True) | Q(istat_code__regex=r"^[0-9]{6}$"),
                name="body_istat_six_digits",
            ),
            models.UniqueConstraint(fields=["uri"], condition=~Q(uri=""), name="body_unique_uri"),
            models.UniqueConstraint(fields=["key"], name="body_unique_key"),
            models.CheckConstraint(
                condition=Q(is_member=False) | Q(kind__in=["comune", "provincia", "unione"]),
                name="body_member_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("municipalities:body-detail", kwargs={"key": self.public_key})

    @property
    def public_key(self) -> str:
        """The key of `key`, also on an object not saved yet (the database computes the stored one)."""
        return self.istat_code or (self.ipa_code or "").lower() or self.slug

    @property
    def is_public_body(self) -> bool:
        """False for a third-party publisher: its software is open source listed beside reuse software."""
        return self.kind != self.Kind.TERZO

    def clean(self) -> None:
        """Readable messages for what the constraints would refuse with a generic one (used by the admin's forms)."""
        errors: dict[str, str] = {}
        if self.is_active and self.ceased_on:
            errors["ceased_on"] = _("Un ente attivo non ha una data di cessazione: togli la data o segna l'ente come "
                                    "non attivo.")
        elif not self.is_active and not self.ceased_on:
            errors["ceased_on"] = _("Indica la data in cui l'ente è cessato.")
        if self.ipa_code:
            taken = Body.objects.filter(ipa_code__iexact=self.ipa_code).exclude(pk=self.pk).first()
            if taken is not None:
                errors["ipa_code"] = _("Il codice IPA %(code)s appartiene già a %(name)s.") % {
                    "code": self.ipa_code,
                    "name": taken.name,
                }
        if self.is_member and self.kind in (self.Kind.ENTE, self.Kind.ESTERO, self.Kind.TERZO):
            errors["is_member"] = _("Un socio del CST è un comune, la Provincia o un'unione di comuni.")
        if errors:
            raise ValidationError(errors)

    def get_size_class_display(self) -> str:
        """Django adds get_FOO_display for plain fields only; a GeneratedField's choices live on its output field."""
        try:
            return str(SizeClass(self.size_class).label)
        except ValueError:  # not saved yet: the database computes the class
            return ""


class Role(models.TextChoices):
    MEMBER = "member", _("Dipendente")
    REFERENT = "referent", _("Referente ICT")
    PUBLISHER = "publisher", _("Redazione (pubblicatore)")


class Membership(models.Model):
    """A person's role in one body. A person can hold several roles in several bodies."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("persona"))
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("ente"))
    role = models.CharField(_("ruolo"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("creato il"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("ruolo nell'ente")
        verbose_name_plural = _("ruoli negli enti")
        ordering = ["body__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "body", "role"], name="membership_unique_user_body_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.body}"
