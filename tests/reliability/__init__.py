"""Reliability and security (issue 8): fuzzing, crash safety, concurrency, migrations, security."""
