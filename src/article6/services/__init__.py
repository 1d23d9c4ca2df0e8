"""The service layer: one function per command or query. The only place that decides."""
