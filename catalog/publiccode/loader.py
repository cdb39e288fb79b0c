"""A YAML loader for untrusted publiccode.yml files.

Built on PyYAML's SafeLoader, and narrower still:
- anchors and aliases are refused (an "alias bomb" expands a small file into gigabytes of nested lists);
- only strings, booleans, null, sequences and mappings are built: publiccode.yml has no numbers or dates, so
  `softwareVersion: 1.10` stays "1.10" (not the float 1.1) and `releaseDate: 2024-03-01` stays a string;
- booleans follow YAML 1.2 (true/false): the Norway problem (`NO` read as false) cannot happen.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

_TAG_NULL = "tag:yaml.org,2002:null"
_TAG_BOOL = "tag:yaml.org,2002:bool"
_BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


class AliasRefused(yaml.YAMLError):
    """The document uses an anchor (&name) or an alias (*name)."""

    def __init__(self, mark: Any) -> None:
        super().__init__("anchors and aliases are not allowed")
        self.problem_mark = mark


class PubliccodeLoader(yaml.SafeLoader):
    yaml_implicit_resolvers: dict = {}
    yaml_constructors: dict = {}

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise AliasRefused(event.start_mark)
        return super().compose_node(parent, index)


# Implicit resolvers: null as in SafeLoader, booleans narrowed to YAML 1.2; every other plain scalar is a string.
for _first, _resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items():
    _kept = [(tag, regexp) for tag, regexp in _resolvers if tag == _TAG_NULL]
    if _kept:
        PubliccodeLoader.yaml_implicit_resolvers[_first] = _kept
PubliccodeLoader.add_implicit_resolver(_TAG_BOOL, _BOOL_RE, list("tTfF"))

for _tag, _constructor in (
    (_TAG_NULL, SafeConstructor.construct_yaml_null),
    (_TAG_BOOL, SafeConstructor.construct_yaml_bool),
    ("tag:yaml.org,2002:str", SafeConstructor.construct_yaml_str),
    ("tag:yaml.org,2002:seq", SafeConstructor.construct_yaml_seq),
    ("tag:yaml.org,2002:map", SafeConstructor.construct_yaml_map),
    (None, SafeConstructor.construct_undefined),
):
    PubliccodeLoader.add_constructor(_tag, _constructor)


def load_yaml(text: str) -> Any:
    """Load one YAML document. Raises AliasRefused, yaml.YAMLError or RecursionError (absurd nesting)."""
    # PubliccodeLoader is a SafeLoader narrowed further (no aliases, no tags beyond str/bool/null/seq/map).
    return yaml.load(text, Loader=PubliccodeLoader)  # noqa: S506  # nosec B506
