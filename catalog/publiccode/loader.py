"""A YAML loader for untrusted publiccode.yml files.

A SafeLoader, and narrower still:
- anchors and aliases are refused (an "alias bomb" expands a small file into gigabytes of nested lists);
- at most MAX_NODES nodes (mapping keys, values, list items) are composed. A 1 MB file of 100,000 one-line keys
  used to hold a web worker for ten seconds of CPU before any check could refuse it; the count stops reading at the
  first node over the budget, before anything is built or validated;
- only strings, booleans, null, sequences and mappings are built: publiccode.yml has no numbers or dates, so
  `softwareVersion: 1.10` stays "1.10" (not the float 1.1) and `releaseDate: 2024-03-01` stays a string;
- booleans follow YAML 1.2 (true/false): the Norway problem (`NO` read as false) cannot happen.

Scanning and parsing into events is done by libyaml (PyYAML's C extension) when it is there: pure Python spends
about 50 µs per node there, six times as much. Composing the events into nodes stays in Python, in PyYAML's own
Composer, so that the alias check and the node budget see every node before it exists.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

try:
    from yaml.cyaml import CParser as _EventParser
except ImportError:  # PyYAML built without libyaml: the same events from the pure-Python reader, scanner and parser
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _EventParser(Reader, Scanner, Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)

_TAG_NULL = "tag:yaml.org,2002:null"
_TAG_BOOL = "tag:yaml.org,2002:bool"
_BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


class AliasRefused(yaml.YAMLError):
    """The document uses an anchor (&name) or an alias (*name)."""

    def __init__(self, mark: Any) -> None:
        super().__init__("anchors and aliases are not allowed")
        self.problem_mark = mark


# The largest real publiccode.yml files have under 2,000 nodes (a long multilingual description, a few dozen
# dependencies); ten times that leaves room for any honest file and still bounds the work of a hostile one.
MAX_NODES = 20_000


class TooManyNodes(yaml.YAMLError):
    """The document has more than `limit` nodes. `path` names the section that was growing (keys and list
    indexes, empty for the top level); `problem_mark` is where reading stopped."""

    def __init__(self, mark: Any, *, limit: int, path: list[str | int]) -> None:
        super().__init__(f"more than {limit} nodes")
        self.problem_mark = mark
        self.limit = limit
        self.path = list(path)


class PubliccodeLoader(Composer, _EventParser, SafeConstructor, Resolver):
    # Composer comes before the event parser, so that its Python composition replaces libyaml's own.
    yaml_implicit_resolvers: dict = {}
    yaml_constructors: dict = {}
    max_nodes = MAX_NODES

    def __init__(self, stream: str) -> None:
        _EventParser.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self.composed_nodes = 0
        # Keys and indexes from the root to the node being composed, only to say where the budget ran out.
        self.section: list[str | int] = []

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise AliasRefused(event.start_mark)
        self.composed_nodes += 1
        if self.composed_nodes > self.max_nodes:
            raise TooManyNodes(event.start_mark, limit=self.max_nodes, path=self.section)
        if index is None:  # the root, or a mapping key: no step down
            return super().compose_node(parent, index)
        if isinstance(index, int):
            self.section.append(index)
        else:
            self.section.append(index.value if isinstance(index, yaml.ScalarNode) else "?")
        node = super().compose_node(parent, index)
        self.section.pop()
        return node


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


def load_yaml(text: str, *, max_nodes: int = MAX_NODES) -> Any:
    """Load one YAML document of at most `max_nodes` nodes. Raises AliasRefused, TooManyNodes, yaml.YAMLError or
    RecursionError (absurd nesting)."""
    loader = PubliccodeLoader(text)
    loader.max_nodes = max_nodes
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
