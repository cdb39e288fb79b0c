"""Factories for test data. Bodies come from the shipped registry (loaded by the migrations)."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from catalog.models import Adoption, AdoptionEvent, Release, Solution
from municipalities.models import Body, Membership, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"persona{n}@cstpu.test")
    first_name = "Persona"
    password = factory.PostGenerationMethodCall("set_password", "Prova-Password-2026")


class BodyFactory(factory.django.DjangoModelFactory):
    """A union of municipalities (comuni come from the registry)."""

    class Meta:
        model = Body

    name = factory.Sequence(lambda n: f"Unione di prova {n}")
    slug = factory.Sequence(lambda n: f"unione-di-prova-{n}")
    kind = Body.Kind.UNIONE


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    body = factory.LazyFunction(lambda: Body.objects.get(istat_code="041044"))
    role = "member"


class SolutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Solution

    slug = factory.Sequence(lambda n: f"soluzione-{n}")
    name = factory.Sequence(lambda n: f"Soluzione {n}")
    owner = factory.LazyFunction(lambda: Body.objects.get(istat_code="041044"))
    short_description_it = "Una soluzione di prova per gli enti."
    long_description_it = "Descrizione estesa della soluzione di prova. " * 5
    licence = "EUPL-1.2"
    status = Solution.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class ReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Release

    solution = factory.SubFactory(SolutionFactory)
    version = factory.Sequence(lambda n: f"1.{n}.0")
    date = factory.LazyFunction(lambda: dt.date(2026, 1, 15))


class AdoptionFactory(factory.django.DjangoModelFactory):
    """An adoption row as it stands; tests of the workflow go through the services instead."""

    class Meta:
        model = Adoption

    solution = factory.SubFactory(SolutionFactory)
    body = factory.LazyFunction(lambda: Body.objects.get(istat_code="041013"))
    owner_body = factory.LazyAttribute(lambda o: o.solution.owner)
    status = Adoption.Status.REQUESTED
    requested_at = factory.LazyFunction(timezone.now)
    status_changed_at = factory.LazyFunction(timezone.now)


class AdoptionEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdoptionEvent

    adoption = factory.SubFactory(AdoptionFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    action = "request"
    to_status = "requested"
