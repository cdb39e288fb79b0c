"""A solution as a publiccode.yml document: version 0.7, the newest the official validator accepts, with no
deprecated key (mapping.py builds it, upgrade.py says what each deprecated key became; docs/publiccode.md)."""

from __future__ import annotations

from typing import Any

import yaml

from catalog.models import Solution
from catalog.models.querysets import in_use
from catalog.publiccode.mapping import body_label, publiccode_from_solution
from catalog.publiccode.parser import FieldError, parse_publiccode

HEADER = "# publiccode.yml esportato dal Catalogo del riuso del CST Pesaro e Urbino\n"


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line text (long descriptions stay readable); lists indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):  # type: ignore[no-untyped-def]
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


def dump_publiccode(document: dict[str, Any]) -> str:
    return HEADER + yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110)


def verified_users(solution: Solution) -> list[str]:
    """The bodies running `solution` in production according to its adoptions, as publiccode.yml names them."""
    from municipalities.models import Body

    adopters = Body.objects.filter(in_use("adoptions__"), adoptions__solution=solution).distinct()
    return [body_label(body) for body in adopters.order_by("name")]


def publiccode_document(solution: Solution, *, include_contacts: bool = False) -> dict[str, Any]:
    release = solution.releases.order_by("-date", "-pk").first()
    return publiccode_from_solution(solution, used_by=verified_users(solution), release=release,
                                    include_contacts=include_contacts)


def export_publiccode(solution: Solution, *, include_contacts: bool = False) -> str:
    """The publiccode.yml of `solution`, as YAML text. `usedBy` lists the bodies its owner declares, then those
    running it in production according to the portal.

    The people to contact (names, e-mail addresses, telephone numbers) are written only with `include_contacts`:
    pass `catalog.permissions.can_view_solution_contacts(user, solution)`, as the solution page shows them to
    members only; otherwise the owner body stands as the contact where the standard requires one. A re-import of
    either file keeps the solution's contacts."""
    return dump_publiccode(publiccode_document(solution, include_contacts=include_contacts))


def publiccode_problems(solution: Solution) -> list[FieldError]:
    """What keeps the solution's export from being a valid publiccode.yml (empty when it is valid): handy for
    publisher pages that want to warn before submission."""
    return parse_publiccode(export_publiccode(solution, include_contacts=True)).errors
