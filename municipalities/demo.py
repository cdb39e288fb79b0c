"""Demo people of municipalities: one per role, in the bodies of the CST's story."""

from __future__ import annotations

from .models import Body, GlobalRole, Membership, User

DEMO_PEOPLE: list[dict] = [
    {"email": "cst@cstpu.example", "first_name": "Chiara", "last_name": "Staff CST", "global_role": GlobalRole.CST_ADMIN},
    {"email": "analista@cstpu.example", "first_name": "Andrea", "last_name": "Analista", "global_role": GlobalRole.ANALYST},
    {"email": "redazione.pesaro@cstpu.example", "first_name": "Paola", "last_name": "Redazione Pesaro",
     "roles": [("041044", "publisher")]},
    {"email": "referente.fano@cstpu.example", "first_name": "Franco", "last_name": "Referente Fano",
     "roles": [("041013", "referent")]},
    {"email": "referente.urbino@cstpu.example", "first_name": "Ugo", "last_name": "Referente Urbino",
     "roles": [("041067", "referent")]},
    {"email": "referente.frontino@cstpu.example", "first_name": "Fabiola", "last_name": "Referente Frontino",
     "roles": [("041017", "referent")]},
    {"email": "dipendente.fano@cstpu.example", "first_name": "Davide", "last_name": "Dipendente Fano",
     "roles": [("041013", "member")]},
]


def seed(*, password: str) -> str:
    created = 0
    for spec in DEMO_PEOPLE:
        user, was_created = User.objects.get_or_create(
            email=spec["email"],
            defaults={
                "first_name": spec["first_name"],
                "last_name": spec["last_name"],
                "global_role": spec.get("global_role", ""),
                "is_staff": spec.get("global_role") == GlobalRole.CST_ADMIN,
            },
        )
        if was_created:
            user.set_password(password)
            user.save(update_fields=["password"])
            created += 1
        for istat, role in spec.get("roles", []):
            Membership.objects.get_or_create(user=user, body=Body.objects.get(istat_code=istat), role=role)
    return f"persone dimostrative: {created} create, {len(DEMO_PEOPLE) - created} già presenti"
