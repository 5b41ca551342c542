"""Examples of deskcore at work (``examples.service`` is an HTTP host of a desk)."""
