"""Subcommands of `pixel-tui`: each module has NAME, HELP, add_arguments() and run()."""
