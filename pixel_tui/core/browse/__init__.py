"""What the panes show, computed without a widget: Drive<->S3 reconciliation, totals, previews, checks."""
