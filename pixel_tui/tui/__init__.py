"""The Textual UI: app, screens, widgets, styles. Depends on pixel_tui.core, never the reverse."""
