"""Persistence: tables, repositories, the unit of work, the journal and the migrations."""
