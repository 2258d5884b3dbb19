"""Translation sync: which parts of one language's manuscript no longer match the
other's, per paragraph, and exchange with translators' tools (PO, XLIFF)."""

FORMATS = ("po", "xliff")
"""The bilingual files `publish sync export` writes and `import` reads."""
