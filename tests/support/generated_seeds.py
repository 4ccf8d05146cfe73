"""Large valid seed files, so that a load lasts long enough to be killed or overlapped."""

from __future__ import annotations

from collections.abc import Callable


def generated_seed(
    *,
    arms: int,
    endpoints: int,
    value: int | Callable[[int], int] = 0,
    key: str = "generated-trial",
    note: int = 0,
) -> str:
    """A valid seed file of one trial with `arms` x `endpoints` results (and the comparisons
    the loader derives from them). `value` shifts the results (of every arm, or of arm n by
    `value(n)`), so that variants of the file differ in chosen rows and keep their keys.
    `note` gives every result a note of that many characters (bulk for the transaction)."""
    lines = [
        "schema_version: 1",
        "sources:",
        f"  - key: {key}-source",
        "    kind: other",
        "    title: A generated source (reliability tests)",
        "trial:",
        f"  key: {key}",
        "  title: A generated trial (reliability tests)",
        "  design: randomized",
        f"  source: {key}-source",
        "  quote: generated",
        "arms:",
    ]
    for arm in range(arms):
        role = "placebo_comparator" if arm == 0 else "experimental"
        lines += [
            f"  - key: arm-{arm}",
            f"    label: Arm {arm}",
            f"    role: {role}",
            "    n_enrolled: 100",
            f"    source: {key}-source",
            "    quote: an arm",
        ]
    lines.append("endpoints:")
    for endpoint in range(endpoints):
        lines += [
            f"  - key: endpoint-{endpoint}",
            f"    name: Endpoint {endpoint}",
            "    kind: response",
            "    measure: proportion",
            f"    source: {key}-source",
            "    quote: an endpoint",
        ]
    lines.append("results:")
    for arm in range(arms):
        for endpoint in range(endpoints):
            shift = value(arm) if callable(value) else value
            count = (arm * 7 + endpoint * 3 + shift) % 100
            lines += [
                f"  - endpoint: endpoint-{endpoint}",
                f"    arm: arm-{arm}",
                f"    value: {count}",
                '    unit: "%"',
                f"    numerator: {count}",
                "    denominator: 100",
                f"    source: {key}-source",
                f"    quote: result {arm} {endpoint}",
            ]
            if note:
                lines.append(f"    note: {'n' * note}")
    return "\n".join(lines) + "\n"
