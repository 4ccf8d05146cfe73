"""Registry records turned into validated records; one subpackage per registry."""
