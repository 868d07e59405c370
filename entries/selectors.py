"""Read queries that views and tasks share, scoped to a centre and free of N+1 queries."""
