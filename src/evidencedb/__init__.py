"""evidencedb: a structured evidence database for clinical trials.

Registry records and published reports sit in the same tables; every value names the source
it came from and the words or registry field that state it.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("evidencedb")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
