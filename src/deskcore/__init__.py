"""deskcore: a sans-I/O customer-service desk engine."""
