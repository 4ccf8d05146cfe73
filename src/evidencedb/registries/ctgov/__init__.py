"""ClinicalTrials.gov API v2 study records read, checked and mapped into records."""
