"""publish: parallel Markdown manuscripts into EPUB 3 and print PDF editions."""

__version__ = "0.1.0"
