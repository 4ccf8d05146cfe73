"""Hypothesis strategies that change the bytes of a YAML or JSON file: truncation, invalid
UTF-8, tags, anchors, aliases and alias bombs, deep nesting, duplicate keys, odd numbers."""

from __future__ import annotations

import itertools
import re

from hypothesis import strategies as st

SURROGATE = b"\xed\xa0\x80"  # U+D800 encoded: json.loads(bytes) lets it through
INVALID_UTF8 = [
    b"\xff",
    b"\xfe\xff",
    b"\xc3\x28",
    b"\xa0\xa1",
    b"\xe2\x28\xa1",
    SURROGATE,
    b"\xf0\x28\x8c\x28",
    b"\xc0\xaf",  # overlong '/'
    b"\x00",
]
BYTE_OPERATIONS = [
    "truncate",
    "insert-bytes",
    "invalid-utf8",
    "flip-byte",
    "delete-line",
    "duplicate-line",
    "swap-lines",
    "crlf",
    "bom",
    "empty-file",
]
YAML_OPERATIONS = [
    "tag",
    "alias-bomb",
    "anchor-alias",
    "nest",
    "merge-key",
    "second-document",
    "duplicate-key",
    "indent",
    "huge-integer",
]
JSON_OPERATIONS = ["nest", "duplicate-key", "literal", "escape", "huge-number", "number-text"]
YAML_TAGS = [
    "!!python/object/apply:os.system",
    "!!python/object:builtins.dict",
    "!!python/name:os.system",
    "!!python/tuple",
    "!!binary",
    "!!set",
    "!!omap",
    "!!timestamp",
    "!!str",
    "!!null",
    "!local",
]


def _value_lines(lines: list[bytes]) -> list[int]:
    """Lines of a YAML block that hold `key: value` with a value on the same line."""
    return [
        index
        for index, line in enumerate(lines)
        if re.match(rb"^\s*(- )?[A-Za-z_][A-Za-z0-9_]*: \S", line)
    ]


def _replace_value(line: bytes, value: bytes) -> bytes:
    cut = line.index(b": ") + 2
    return line[:cut] + value


def alias_bomb(levels: int = 9, width: int = 9, *, prefix: str = "") -> str:
    """The billion laughs: `levels` anchors, each a list of `width` aliases of the previous;
    the last one expands to width**levels leaves (9, 9: 387,420,489)."""
    names = [f"{prefix}{chr(ord('a') + level)}" for level in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [" + ", ".join(['"lol"'] * width) + "]"]
    for previous, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * width) + "]")
    return "\n".join(lines) + "\n"


@st.composite
def byte_mutation(
    draw: st.DrawFn, raw: bytes, *, language: str, nul: bool, surrogates: bool
) -> tuple[bytes, str]:
    """One change to the bytes of a file, generic or specific to YAML or JSON."""
    specific = YAML_OPERATIONS if language == "yaml" else JSON_OPERATIONS
    operation = draw(st.sampled_from(BYTE_OPERATIONS + specific))
    lines = raw.split(b"\n")
    line = draw(st.integers(0, max(len(lines) - 1, 0)))
    position = draw(st.integers(0, len(raw)))
    if operation == "truncate":
        return raw[:position], operation
    if operation in ("insert-bytes", "invalid-utf8"):
        invalid = [b for b in INVALID_UTF8 if surrogates or language != "json" or b != SURROGATE]
        inserted = (
            draw(st.binary(min_size=1, max_size=8))
            if operation == "insert-bytes"
            else draw(st.sampled_from(invalid))
        )
        return raw[:position] + inserted + raw[position:], operation
    if operation == "flip-byte" and raw:
        index = min(position, len(raw) - 1)
        return raw[:index] + bytes([draw(st.integers(0, 255))]) + raw[index + 1 :], operation
    if operation == "delete-line":
        return b"\n".join(lines[:line] + lines[line + 1 :]), operation
    if operation in ("duplicate-line", "duplicate-key") and language == "yaml":
        candidates = _value_lines(lines) if operation == "duplicate-key" else [line]
        chosen = draw(st.sampled_from(candidates)) if candidates else line
        return b"\n".join(lines[: chosen + 1] + lines[chosen:]), operation
    if operation == "duplicate-line":
        return b"\n".join(lines[: line + 1] + lines[line:]), operation
    if operation == "swap-lines":
        other = draw(st.integers(0, max(len(lines) - 1, 0)))
        swapped = list(lines)
        swapped[line], swapped[other] = swapped[other], swapped[line]
        return b"\n".join(swapped), operation
    if operation == "crlf":
        return raw.replace(b"\n", b"\r\n"), operation
    if operation == "bom":
        return b"\xef\xbb\xbf" + raw, operation
    if operation == "empty-file":
        return draw(
            st.sampled_from([b"", b"\n", b"   \n", b"~\n", b"[]\n", b"null", b"{}"])
        ), operation
    if language == "yaml":
        return draw(_yaml_mutation(raw, lines, operation)), operation
    return draw(_json_mutation(raw, operation, nul=nul, surrogates=surrogates)), operation


@st.composite
def _yaml_mutation(draw: st.DrawFn, raw: bytes, lines: list[bytes], operation: str) -> bytes:
    values = _value_lines(lines)
    if not values:
        return raw
    chosen = draw(st.sampled_from(values))
    changed = list(lines)
    if operation == "tag":
        tags = [*YAML_TAGS, "!!int", "!!float", "!!bool"]
        tag = draw(st.sampled_from(tags)).encode()
        cut = changed[chosen].index(b": ") + 2
        changed[chosen] = changed[chosen][:cut] + tag + b" " + changed[chosen][cut:]
    elif operation == "alias-bomb":
        levels, width = draw(st.integers(1, 9)), draw(st.integers(2, 9))
        bomb = alias_bomb(levels, width, prefix="bomb_").encode()
        last = f"bomb_{chr(ord('a') + levels - 1)}".encode()
        changed[chosen] = _replace_value(changed[chosen], b"*" + last)
        return bomb + b"\n".join(changed)
    elif operation == "anchor-alias":
        later = draw(st.sampled_from(values))
        first, second = sorted((chosen, later))
        cut = changed[first].index(b": ") + 2
        changed[first] = changed[first][:cut] + b"&fuzz " + changed[first][cut:]
        if second != first:
            changed[second] = _replace_value(changed[second], b"*fuzz")
    elif operation == "nest":
        depth = draw(st.integers(1, 2000))
        opening, closing = draw(st.sampled_from([(b"[", b"]"), (b"{a: ", b"}")]))
        changed[chosen] = _replace_value(changed[chosen], opening * depth + closing * depth)
    elif operation == "merge-key":
        indent = re.match(rb"^\s*(- )?", changed[chosen])
        width = len(indent.group(0)) if indent else 0
        changed.insert(chosen, b" " * width + b"<<: {merged: 1}")
    elif operation == "second-document":
        changed.insert(chosen, draw(st.sampled_from([b"---", b"...", b"--- !!str"])))
    elif operation == "indent":
        changed[chosen] = draw(st.sampled_from([b" ", b"\t", b"   "])) + changed[chosen]
    elif operation == "huge-integer":
        digits = 5000  # past the 4300 digits at which int() of a string raises
        changed[chosen] = _replace_value(changed[chosen], b"9" * digits)
    return b"\n".join(changed)


_JSON_NUMBER = re.compile(rb"(?<=[:\[,] )-?\d+(\.\d+)?([eE][-+]?\d+)?|(?<=[:\[,])-?\d+(\.\d+)?")
_JSON_STRING_START = re.compile(rb'(?<=: )"')


@st.composite
def _json_mutation(
    draw: st.DrawFn, raw: bytes, operation: str, *, nul: bool, surrogates: bool
) -> bytes:
    if operation == "nest":
        depth = draw(st.integers(1, 1500) | st.integers(1, 100_000))
        spots = [match.end() for match in re.finditer(rb": ", raw)]
        if not spots:
            return raw
        cut = draw(st.sampled_from(spots))
        return raw[:cut] + b"[" * depth + b"0" + b"]" * depth + b', "_x": ' + raw[cut:]
    if operation == "duplicate-key":
        spots = [match.end() for match in re.finditer(rb"\{", raw)]
        if not spots:
            return raw
        cut = draw(st.sampled_from(spots))
        pair = draw(
            st.sampled_from(
                [
                    b'"nctId": "NCT00000000", ',
                    b'"protocolSection": {}, ',
                    b'"type": "NOT_A_TYPE", ',
                    b'"value": "-1", ',
                    b'"count": -1, ',
                    b'"groupId": "OG999", ',
                ]
            )
        )
        return raw[:cut] + pair + raw[cut:]
    numbers = list(_JSON_NUMBER.finditer(raw))
    if operation in ("literal", "huge-number") and numbers:
        match = draw(st.sampled_from(numbers))
        choices = [b"NaN", b"Infinity", b"-Infinity", b"1e400", b"-0", b"1e-400", b"-1", b"0.5"]
        if operation == "huge-number":
            choices = [b"9" * 5000]
        replacement = draw(st.sampled_from(choices))
        return raw[: match.start()] + replacement + raw[match.end() :]
    if operation == "number-text":  # the registry writes most numbers as strings: "92", "0.62"
        texts = list(re.finditer(rb'"-?[0-9]+(\.[0-9]+)?"', raw))
        if not texts:
            return raw
        match = draw(st.sampled_from(texts))
        choices = [b'"-1"', b'"1e400"', b'"NaN"', b'"0x10"', b'"1,000"', b'"\\u0661\\u0662"', b'""']
        digits = 5000  # past the 4300 digits at which int() of a string raises
        choices += [b'"' + b"9" * digits + b'"', b'"0.' + b"0" * digits + b'1"']
        return raw[: match.start()] + draw(st.sampled_from(choices)) + raw[match.end() :]
    if operation == "escape":
        spots = [match.end() for match in _JSON_STRING_START.finditer(raw)]
        if not spots:
            return raw
        escapes = [b"\\u001b", b"\\u202e", b"\\u0085", b"\\t", b"\\n", b"\\u2028"]
        if nul:
            escapes.append(b"\\u0000")
        if surrogates:
            escapes += [b"\\ud800", b"\\udfff"]
        cut = draw(st.sampled_from(spots))
        return raw[:cut] + draw(st.sampled_from(escapes)) + raw[cut:]
    return raw
