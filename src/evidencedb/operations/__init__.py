"""A command's unit of work, each in one transaction: load, import, export, summary."""
