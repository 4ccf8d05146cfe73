"""evidencedb: a structured evidence database for clinical trials.

Registry records and published reports sit in the same tables; every value names the source
it came from and the words or registry field that state it.
"""

from typing import Any


def __getattr__(name: str) -> Any:
    """`__version__`, looked up only when asked for: reading the installed metadata costs
    every command's start-up tens of milliseconds, and only `--version` needs it."""
    if name != "__version__":
        raise AttributeError(f"module 'evidencedb' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("evidencedb")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+unknown"


__all__ = ["__version__"]  # provided by __getattr__
