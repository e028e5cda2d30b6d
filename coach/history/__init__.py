"""The history: the SQLite store, the journal of writes that failed, the progress
figures, and what earlier sessions did."""
