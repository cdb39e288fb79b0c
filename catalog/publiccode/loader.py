"""A YAML reader for untrusted publiccode.yml files that sees them as the official validator does.

The official validator (publiccode-parser-go) reads YAML with goccy/go-yaml, a YAML 1.2 reader. This module composes
the document into PyYAML nodes (with their line numbers, which name the field of an error the way the validator
does) and narrows PyYAML to what the validator accepts:
- YAML 1.2 scalars: `yes`, `no`, `on`, `off` are text, not booleans (the Norway problem cannot happen), and only
  true/false (three spellings each) are booleans; a number keeps the text it was written with (`1.10` stays
  "1.10"), a date stays text;
- a key repeated in the same mapping is an error, not "the last one wins";
- one document per file;
- anchors and aliases (and `<<` merge keys) are read, within a budget: every node reached through an alias counts
  again, so an "alias bomb" (a few lines that expand into billions of nodes) is refused when the expansion passes
  MAX_NODES, before anything is built;
- at most MAX_NODES nodes are composed at all: a 1 MB file of 100,000 one-line keys used to hold a web worker for
  ten seconds of CPU before any check could refuse it; the count stops reading at the first node over the budget.

Scanning and parsing into events is done by libyaml (PyYAML's C extension) when it is there: pure Python spends
about 50 µs per node there, six times as much. Composing the events into nodes stays in Python, in PyYAML's own
Composer, so that the budget and the duplicate check see every node before it exists.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.composer import Composer
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

TAG_NULL = "tag:yaml.org,2002:null"
TAG_BOOL = "tag:yaml.org,2002:bool"
TAG_INT = "tag:yaml.org,2002:int"
TAG_FLOAT = "tag:yaml.org,2002:float"
TAG_STR = "tag:yaml.org,2002:str"
TAG_SEQ = "tag:yaml.org,2002:seq"
TAG_MAP = "tag:yaml.org,2002:map"
TAG_MERGE = "tag:yaml.org,2002:merge"
_KNOWN_TAGS = {TAG_NULL, TAG_BOOL, TAG_INT, TAG_FLOAT, TAG_STR, TAG_SEQ, TAG_MAP, TAG_MERGE}

# The largest real publiccode.yml files have under 2,000 nodes (a long multilingual description, a few dozen
# dependencies); ten times that leaves room for any honest file and still bounds the work of a hostile one.
MAX_NODES = 20_000


class TooManyNodes(yaml.YAMLError):
    """The document has more than `limit` nodes. `path` names the section that was growing (keys and list
    indexes, empty for the top level); `problem_mark` is where reading stopped; `through_alias` tells that the
    budget ran out expanding aliases."""

    def __init__(self, mark: Any, *, limit: int, path: list[str | int], through_alias: bool = False) -> None:
        super().__init__(f"more than {limit} nodes")
        self.problem_mark = mark
        self.limit = limit
        self.path = list(path)
        self.through_alias = through_alias


class DuplicateKey(yaml.YAMLError):
    """A mapping names the same key twice."""

    def __init__(self, key: str, mark: Any, first_mark: Any) -> None:
        super().__init__(f'mapping key "{key}" already defined')
        self.key = key
        self.problem_mark = mark
        self.first_mark = first_mark


class ManyDocuments(yaml.YAMLError):
    """The stream holds more than one YAML document."""

    def __init__(self, mark: Any) -> None:
        super().__init__("more than one document")
        self.problem_mark = mark


class BadAlias(yaml.YAMLError):
    """An alias names an anchor that is not (yet) defined, or the node that contains it."""

    def __init__(self, mark: Any) -> None:
        super().__init__("alias to an undefined or enclosing anchor")
        self.problem_mark = mark


class UnknownTag(yaml.YAMLError):
    """An explicit tag other than YAML's own (!!str, !!int, ...), such as a language-specific `!!python/...`."""

    def __init__(self, tag: str, mark: Any) -> None:
        super().__init__(f"unknown tag {tag}")
        self.tag = tag
        self.problem_mark = mark


class PubliccodeLoader(Composer, _EventParser, Resolver):
    # Composer comes before the event parser, so that its Python composition replaces libyaml's own.
    yaml_implicit_resolvers: dict = {}
    max_nodes = MAX_NODES

    def __init__(self, stream: str) -> None:
        _EventParser.__init__(self, stream)
        Composer.__init__(self)
        Resolver.__init__(self)
        self.composed_nodes = 0
        # Nodes counted with every alias expanded, by node id; a node still being composed has no entry.
        self.weights: dict[int, int] = {}
        # Keys and indexes from the root to the node being composed, only to say where the budget ran out.
        self.section: list[str | int] = []

    def get_single_node(self):  # type: ignore[no-untyped-def]
        self.get_event()  # stream start
        document = None
        if not self.check_event(yaml.StreamEndEvent):
            document = self.compose_document()
        if not self.check_event(yaml.StreamEndEvent):
            raise ManyDocuments(self.peek_event().start_mark)
        self.get_event()
        return document

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            anchor = event.anchor
            if anchor not in self.anchors or id(self.anchors[anchor]) not in self.weights:
                self.get_event()
                raise BadAlias(event.start_mark)
        self.composed_nodes += 1
        if self.composed_nodes > self.max_nodes:
            raise TooManyNodes(event.start_mark, limit=self.max_nodes, path=self.section)
        if index is not None:
            if isinstance(index, int):
                self.section.append(index)
            else:
                self.section.append(index.value if isinstance(index, yaml.ScalarNode) else "?")
        node = super().compose_node(parent, index)
        if index is not None:
            self.section.pop()
        if isinstance(node, yaml.ScalarNode) and not isinstance(event, yaml.AliasEvent):
            self.weights[id(node)] = 1
        tag = node.tag
        if tag not in _KNOWN_TAGS and not isinstance(event, yaml.AliasEvent):
            raise UnknownTag(tag, node.start_mark)
        return node

    def _finish(self, node: yaml.Node, children: list[yaml.Node]) -> None:
        weight = 1 + sum(self.weights[id(child)] for child in children)
        if weight > self.max_nodes:
            raise TooManyNodes(node.start_mark, limit=self.max_nodes, path=self.section, through_alias=True)
        self.weights[id(node)] = weight

    def compose_sequence_node(self, anchor):  # type: ignore[no-untyped-def]
        node = super().compose_sequence_node(anchor)
        self._finish(node, node.value)
        return node

    def compose_mapping_node(self, anchor):  # type: ignore[no-untyped-def]
        node = super().compose_mapping_node(anchor)
        seen: dict[str, Any] = {}
        for key, _value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.tag != TAG_MERGE:
                if key.value in seen:
                    raise DuplicateKey(key.value, key.start_mark, seen[key.value])
                seen[key.value] = key.start_mark
        self._finish(node, [child for pair in node.value for child in pair])
        return node


# YAML 1.2 core schema, as goccy/go-yaml reads plain scalars.
_RESOLVERS = (
    (TAG_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (TAG_NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (TAG_INT, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|0b[01]+)$", "-+0123456789"),
    (TAG_FLOAT, r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     "-+0123456789."),
    (TAG_MERGE, r"^(?:<<)$", "<"),
)
for _tag, _pattern, _first in _RESOLVERS:
    PubliccodeLoader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


def compose_yaml(text: str, *, max_nodes: int = MAX_NODES) -> yaml.Node | None:
    """The node tree of one YAML document (None for an empty stream). Raises TooManyNodes, DuplicateKey,
    ManyDocuments, BadAlias, UnknownTag, yaml.YAMLError or RecursionError (absurd nesting)."""
    loader = PubliccodeLoader(text)
    loader.max_nodes = max_nodes
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def mapping_pairs(node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
    """The key/value pairs of a mapping with `<<` merge keys flattened (explicit keys win over merged ones)."""
    explicit = [(k, v) for k, v in node.value if k.tag != TAG_MERGE]
    merged: list[tuple[yaml.Node, yaml.Node]] = []
    for key, value in node.value:
        if key.tag != TAG_MERGE:
            continue
        sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
        for source in sources:
            if isinstance(source, yaml.MappingNode):
                merged.extend(mapping_pairs(source))
    names = {k.value for k, _ in explicit if isinstance(k, yaml.ScalarNode)}
    result, seen = list(explicit), set(names)
    for key, value in merged:
        name = key.value if isinstance(key, yaml.ScalarNode) else None
        if name not in seen:
            seen.add(name)
            result.append((key, value))
    return result


def to_python(node: yaml.Node | None) -> Any:
    """Plain data from a node tree: text (numbers keep the text they were written with), booleans, None, lists,
    dicts with text keys."""
    if node is None:
        return None
    if isinstance(node, yaml.ScalarNode):
        if node.tag == TAG_NULL:
            return None
        if node.tag == TAG_BOOL:
            return node.value.lower() == "true"
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [to_python(item) for item in node.value]
    out: dict[str, Any] = {}
    for key, value in mapping_pairs(node):  # type: ignore[arg-type]
        out[str(to_python(key)) if not isinstance(key, yaml.ScalarNode) else key.value] = to_python(value)
    return out
