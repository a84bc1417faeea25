"""The counter terminal UI (Textual)."""
