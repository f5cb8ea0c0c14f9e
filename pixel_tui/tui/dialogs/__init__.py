"""Every modal: promote, upload, preview, registry entry, prompts, undo confirmation, help. Styles: styles/dialogs.tcss."""
