"""The one read side: what a Party section holds and what happened in it, as typed views
(`views`), read by the functions of `ledger` that the API, the web pages, the CLI and the
tests all call."""
