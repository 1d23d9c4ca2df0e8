"""The pure domain core: identifiers, vocabularies, unit blocks, the numbered checks and the
first-transfer rules. It imports nothing from the database, the web or the CLI."""
