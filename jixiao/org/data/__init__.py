"""Reference tables kept as Python data (sectors, the shape of a county)."""
