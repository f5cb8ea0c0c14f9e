"""pixel_tui: a terminal dashboard for a Drive -> S3 training-data pipeline."""

__version__ = "0.1.0"
