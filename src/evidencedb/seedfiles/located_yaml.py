"""YAML read into plain Python data that remembers the line of every node.

PyYAML's safe composer (the C one when libyaml is present) builds the node tree; we construct
Python values from it ourselves, which lets us
- record the line of each mapping key and sequence item, so a validation error can say
  `seeds/x.yaml:42 arms[1].role`;
- refuse duplicate keys, which PyYAML would silently overwrite;
- bound the work an alias bomb can cause (aliases are expanded as we walk, so we count nodes);
- keep dates and timestamps as strings until the pydantic model parses them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from evidencedb.errors import Problem, ValidationFailed
from evidencedb.records.location import Location, format_location

try:  # libyaml's composer is several times faster; fall back to pure Python where it is missing.
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

MAX_NODES = 200_000  # far above any real seed file (the blinatumomab file has ~600 nodes)
MAX_DEPTH = 64
MAX_BYTES = 20 * 1024 * 1024

_SCALAR_TAGS_KEPT_AS_TEXT = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"}
_MAPPING_TAG = "tag:yaml.org,2002:map"
_SEQUENCE_TAG = "tag:yaml.org,2002:seq"
# Aliases let a tiny file stand for a huge document; allow a generous multiple of its size.
NODES_PER_BYTE = 20


class LocatedDocument:
    """A parsed document and the 1-based line of each path within it."""

    def __init__(self, file: str, data: Any, lines: dict[Location, int]) -> None:
        self.file = file
        self.data = data
        self.lines = lines

    def line_of(self, location: Location) -> int | None:
        """Line of the deepest node on `location` that exists in the document."""
        for end in range(len(location), -1, -1):
            line = self.lines.get(tuple(location[:end]))
            if line is not None:
                return line
        return None

    def problem(self, location: Location, message: str) -> Problem:
        return Problem(self.file, self.line_of(location), format_location(location), message)


class _Builder:
    def __init__(self, file: str, max_nodes: int = MAX_NODES) -> None:
        self.file = file
        self.lines: dict[Location, int] = {}
        self.nodes = 0
        self.max_nodes = max_nodes
        self.constructor = yaml.constructor.SafeConstructor()

    def fail(self, node: yaml.Node, message: str, location: Location = ()) -> ValidationFailed:
        line = node.start_mark.line + 1
        return ValidationFailed([Problem(self.file, line, format_location(location), message)])

    def build(self, node: yaml.Node, location: Location, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > self.max_nodes:
            message = f"document too large: more than {self.max_nodes} nodes (alias bomb?)"
            raise self.fail(node, message)
        if depth > MAX_DEPTH:
            raise self.fail(node, f"document nested deeper than {MAX_DEPTH} levels")
        self.lines.setdefault(location, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in (
            _MAPPING_TAG,
            _SEQUENCE_TAG,
        ):
            raise self.fail(node, f"tag {node.tag!r} is not allowed in seed files", location)
        if isinstance(node, yaml.MappingNode):
            return self.build_mapping(node, location, depth)
        if isinstance(node, yaml.SequenceNode):
            return [
                self.build(item, (*location, index), depth + 1)
                for index, item in enumerate(node.value)
            ]
        assert isinstance(node, yaml.ScalarNode)
        if node.tag in _SCALAR_TAGS_KEPT_AS_TEXT:
            return node.value
        if "\x00" in node.value:
            raise self.fail(node, "text contains a NUL character", location)
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as error:
            raise self.fail(node, f"cannot read value: {error.problem}", location) from None
        except (ValueError, KeyError, TypeError, OverflowError) as error:
            # `!!int abc`, `!!bool 1`, an integer of thousands of digits, ...
            message = f"cannot read {node.value[:40]!r} as {node.tag.rsplit(':', 1)[-1]}"
            raise self.fail(node, f"{message}: {error}"[:300], location) from None

    def build_mapping(self, node: yaml.MappingNode, location: Location, depth: int) -> Any:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail(key_node, "merge keys ('<<') are not supported in seed files")
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, "a mapping key must be a plain value")
            key = (
                key_node.value
                if key_node.tag == "tag:yaml.org,2002:str"
                else self.build(key_node, location, depth + 1)
            )
            if key in result:
                raise self.fail(key_node, "duplicate key", (*location, str(key)))
            child = (*location, str(key))
            self.lines[child] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, child, depth + 1)
        return result


def read_yaml(path: Path, display: str | None = None) -> LocatedDocument:
    """Parse one YAML file into a LocatedDocument; any problem raises ValidationFailed."""
    file = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ValidationFailed(
            [Problem(file, None, "", f"cannot read: {error.strerror}")]
        ) from None
    if len(raw) > MAX_BYTES:
        message = f"file larger than {MAX_BYTES // (1024 * 1024)} MB"
        raise ValidationFailed([Problem(file, None, "", message)])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        message = f"not valid UTF-8 (byte {error.start})"
        raise ValidationFailed([Problem(file, line, "", message)]) from None
    return parse_yaml(text, file)


def _check_depth(text: str, file: str) -> None:
    """Refuse deep nesting from the parser's events, before libyaml's recursive composer
    would overflow the C stack on it."""
    depth = 0
    for parsed in yaml.parse(text, Loader=SafeLoader):
        if isinstance(parsed, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = parsed.start_mark.line + 1 if parsed.start_mark else None
                message = f"document nested deeper than {MAX_DEPTH} levels"
                raise ValidationFailed([Problem(file, line, "", message)])
        elif isinstance(parsed, yaml.CollectionEndEvent):
            depth -= 1


def parse_yaml(text: str, file: str) -> LocatedDocument:
    try:
        _check_depth(text, file)
        nodes = list(yaml.compose_all(text, Loader=SafeLoader))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        message = f"malformed YAML: {error.problem or error.context}"
        raise ValidationFailed([Problem(file, line, "", message)]) from None
    except yaml.YAMLError as error:  # reader errors: control characters and the like
        raise ValidationFailed([Problem(file, None, "", f"malformed YAML: {error}")]) from None
    if len(nodes) != 1:
        count = "no document" if not nodes else f"{len(nodes)} documents"
        raise ValidationFailed(
            [Problem(file, None, "", f"expected one YAML document, found {count}")]
        )
    builder = _Builder(file, min(MAX_NODES, 1_000 + NODES_PER_BYTE * len(text)))
    data = builder.build(nodes[0], (), 0)
    return LocatedDocument(file, data, builder.lines)
