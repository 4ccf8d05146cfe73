from tests.conftest import TestDatabase, run_cli


def test_seed_load_is_idempotent(loaded: TestDatabase) -> None:
    again = run_cli("load", "seeds", db=loaded)
    assert again.exit_code == 0
    assert "nothing changed" in again.stderr
