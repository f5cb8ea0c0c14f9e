"""The one spinner of the app: a pane loading a level, totals counting, a folder's details comparing."""

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
