"""The one writer: validated records into rows inside the caller's transaction."""
