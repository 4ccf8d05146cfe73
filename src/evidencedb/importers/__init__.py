"""Importers: other formats turned into the validated records that seed files produce.

An importer reads and maps; it never writes. The one loader (`evidencedb.loader.load`) writes
what an importer returns, inside the transaction the command owns (`evidencedb.service`).

- `sources`: reading ClinicalTrials.gov study JSON from files, folders, pages and ZIPs;
- `ctgov`: mapping one study record to a `TrialFile` in a `Bundle`.
"""
