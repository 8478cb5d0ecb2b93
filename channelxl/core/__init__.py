"""Pure computations: no files, databases, Excel or notebooks in here."""
